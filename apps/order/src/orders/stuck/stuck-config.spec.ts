import { ConfigError } from '@saga/platform';
import { loadStuckConfig } from './stuck-config';

describe('loadStuckConfig', () => {
  it('defaults to a minute, looked at every 5 s', () => {
    expect(loadStuckConfig({})).toEqual({ afterMs: 60_000, checkIntervalMs: 5_000 });
  });

  it('reads both settings from the environment', () => {
    expect(loadStuckConfig({ SAGA_STUCK_AFTER_MS: '1500', SAGA_STUCK_CHECK_INTERVAL_MS: '200' })).toEqual({
      afterMs: 1_500,
      checkIntervalMs: 200,
    });
  });

  it.each([
    ['SAGA_STUCK_AFTER_MS', 'soon', /SAGA_STUCK_AFTER_MS: must be a number of milliseconds/],
    ['SAGA_STUCK_AFTER_MS', '10', /SAGA_STUCK_AFTER_MS: must be at least 100 ms/],
    ['SAGA_STUCK_CHECK_INTERVAL_MS', '0.5', /SAGA_STUCK_CHECK_INTERVAL_MS: must be a whole number/],
  ])('rejects %s=%s with a message naming it', (name, value, message) => {
    // Act
    const load = () => loadStuckConfig({ [name]: value });

    // Assert
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });
});
