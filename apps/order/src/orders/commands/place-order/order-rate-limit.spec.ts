import { ConfigError } from '@saga/platform';
import { loadOrderRateLimit } from './order-rate-limit';

describe('loadOrderRateLimit', () => {
  it('defaults to 30 orders a customer every 60 s', () => {
    expect(loadOrderRateLimit({})).toEqual({ limit: 30, windowMs: 60_000 });
  });

  it('reads both settings from the environment', () => {
    expect(loadOrderRateLimit({ ORDER_RATE_LIMIT: '5', ORDER_RATE_LIMIT_WINDOW_MS: '1000' })).toEqual({
      limit: 5,
      windowMs: 1000,
    });
  });

  it.each([
    ['ORDER_RATE_LIMIT', '0'],
    ['ORDER_RATE_LIMIT_WINDOW_MS', '50'],
  ])('rejects %s=%s, naming it', (name, value) => {
    // Act
    const load = () => loadOrderRateLimit({ [name]: value });

    // Assert
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`^[\\s\\S]*${name}:`));
  });
});
