import { ConfigError, loadServiceConfig } from '@saga/platform';
import { paymentService } from './app.module';

describe('paymentService', () => {
  it('refuses to build with a SEED_FILE it cannot use, naming the variable', () => {
    // Arrange
    const env = { SEED_FILE: '/nonexistent/seed.json' };
    const config = loadServiceConfig('payment', env);

    // Act
    const build = () => paymentService.module(config, env);

    // Assert
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/SEED_FILE: cannot read \/nonexistent\/seed\.json/);
  });
});
