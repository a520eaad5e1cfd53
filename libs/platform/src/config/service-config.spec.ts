import { ConfigError } from './parse-env';
import { loadServiceConfig } from './service-config';

describe('loadServiceConfig', () => {
  it('applies the design defaults when the environment is empty', () => {
    // Act
    const config = loadServiceConfig('payment', {});

    // Assert
    expect(config).toEqual({
      service: 'payment',
      port: 3002,
      host: '127.0.0.1',
      databaseUrl: 'postgres://payment_service@127.0.0.1:55432/payment_service',
      databasePoolSize: 10,
      databaseBackgroundPoolSize: 4,
      kafkaBrokers: ['127.0.0.1:9092'],
      kafkaClientId: 'payment-service',
      kafkaGroupId: 'payment-service',
      kafkaTopicPrefix: '',
      kafkaSessionTimeoutMs: 10_000,
      logLevel: 'log',
      logFormat: 'json',
      traceSampleRatio: 1,
      outboxRelay: 'notify',
      outboxBatchSize: 500,
      outboxRetentionMs: 0,
      inboxRetentionMs: 168 * 3600_000,
      corsOrigins: ['http://127.0.0.1:3001'],
      unsafeDirectPublish: false,
      auth: { algorithms: ['ES256'], issuer: 'saga-platform-dev', audience: 'saga-platform' },
    });
  });

  it('reads the token verification settings, a PEM with escaped new lines included', () => {
    // Arrange
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----';

    // Act
    const config = loadServiceConfig('order', {
      AUTH_JWT_PUBLIC_KEY: pem,
      AUTH_JWT_ALGORITHMS: 'ES256, RS256',
      AUTH_JWT_ISSUER: 'https://id.example',
      AUTH_JWT_AUDIENCE: 'orders-api',
    });

    // Assert
    expect(config.auth).toEqual({
      publicKeyPem: pem.replace(/\\n/g, '\n'),
      algorithms: ['ES256', 'RS256'],
      issuer: 'https://id.example',
      audience: 'orders-api',
    });
  });

  it.each([
    ['AUTH_JWT_ALGORITHMS', 'HS256', /AUTH_JWT_ALGORITHMS: must be a comma-separated list of ES256/],
    [
      'AUTH_JWT_PUBLIC_KEY',
      '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----',
      /never a private key.*\*\*\*/,
    ],
    ['AUTH_JWKS_URL', 'ftp://id.example/jwks', /AUTH_JWKS_URL: must be an https URL/],
    [
      'AUTH_JWKS_URL',
      'http://id.example/jwks',
      /AUTH_JWKS_URL: must be an https URL \(http only for 127\.0\.0\.1\)/,
    ],
  ])('refuses %s=%s, naming it', (name, value, message) => {
    expect(() => loadServiceConfig('order', { [name]: value })).toThrow(message);
  });

  it('refuses both a public key and a key set', () => {
    expect(() =>
      loadServiceConfig('order', {
        AUTH_JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----',
        AUTH_JWKS_URL: 'https://id.example/jwks',
      }),
    ).toThrow(/set one of AUTH_JWT_PUBLIC_KEY and AUTH_JWKS_URL/);
  });

  it('reads every setting from the environment', () => {
    // Act
    const config = loadServiceConfig('order', {
      PORT: '4001',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://app:secret@db:5433/orders',
      DATABASE_POOL_SIZE: '4',
      KAFKA_BROKERS: 'k1:9092, k2:9093',
      KAFKA_CLIENT_ID: 'order-a',
      KAFKA_GROUP_ID: 'order-blue',
      KAFKA_TOPIC_PREFIX: 'e2e-1a2b.',
      KAFKA_SESSION_TIMEOUT_MS: '20000',
      CORS_ORIGINS: 'http://localhost:8080, https://demo.example.com',
      LOG_FORMAT: 'pretty',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });

    // Assert
    expect(config).toMatchObject({
      port: 4001,
      host: '0.0.0.0',
      databaseUrl: 'postgresql://app:secret@db:5433/orders',
      databasePoolSize: 4,
      databaseBackgroundPoolSize: 4,
      kafkaBrokers: ['k1:9092', 'k2:9093'],
      kafkaClientId: 'order-a',
      kafkaGroupId: 'order-blue',
      kafkaTopicPrefix: 'e2e-1a2b.',
      kafkaSessionTimeoutMs: 20_000,
      corsOrigins: ['http://localhost:8080', 'https://demo.example.com'],
      logFormat: 'pretty',
      otlpEndpoint: 'http://jaeger:4318',
      traceSampleRatio: 0.25,
    });
  });

  it('puts the consumer group in the topic prefix namespace unless KAFKA_GROUP_ID is given', () => {
    expect(loadServiceConfig('order', { KAFKA_TOPIC_PREFIX: 'copy-2.' }).kafkaGroupId).toBe(
      'copy-2.order-service',
    );
  });

  it('builds the unsafe benchmark baseline only when SAGA_UNSAFE_DIRECT_PUBLISH is true', () => {
    expect(loadServiceConfig('order', { SAGA_UNSAFE_DIRECT_PUBLISH: 'true' }).unsafeDirectPublish).toBe(true);
    expect(loadServiceConfig('order', { SAGA_UNSAFE_DIRECT_PUBLISH: 'false' }).unsafeDirectPublish).toBe(
      false,
    );
  });

  it('treats an empty variable as unset', () => {
    expect(loadServiceConfig('inventory', { PORT: '' }).port).toBe(3003);
  });

  it.each([
    ['PORT', 'abc', /PORT: must be a number \(got "abc"\)/],
    ['PORT', '70000', /PORT: must be between 0 and 65535/],
    ['PORT', '30.5', /PORT: must be an integer/],
    ['KAFKA_TOPIC_PREFIX', 'a b', /KAFKA_TOPIC_PREFIX: must be letters, digits/],
    ['KAFKA_SESSION_TIMEOUT_MS', '1000', /KAFKA_SESSION_TIMEOUT_MS: .*6000/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: must be debug, log, warn or error/],
    ['DATABASE_URL', 'mysql://x/y', /DATABASE_URL: must be a postgres:\/\/ URL/],
    [
      'DATABASE_URL',
      'postgres://127.0.0.1:5432',
      /DATABASE_URL: must be a postgres:\/\/ URL that names a database/,
    ],
    ['KAFKA_BROKERS', '127.0.0.1', /KAFKA_BROKERS: must be a comma-separated list of host:port/],
    ['DATABASE_POOL_SIZE', '0', /DATABASE_POOL_SIZE: /],
    ['CORS_ORIGINS', 'http://127.0.0.1:3001/', /CORS_ORIGINS: must be a comma-separated list of origins/],
    ['CORS_ORIGINS', '*', /CORS_ORIGINS: must be a comma-separated list of origins/],
    ['SAGA_UNSAFE_DIRECT_PUBLISH', 'yes', /SAGA_UNSAFE_DIRECT_PUBLISH: must be true or false/],
    ['LOG_FORMAT', 'xml', /LOG_FORMAT: must be json or pretty/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'jaeger:4318', /OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL/],
    ['OTEL_TRACES_SAMPLER_ARG', '2', /OTEL_TRACES_SAMPLER_ARG: must be between 0 and 1/],
  ])('rejects %s=%s with a message naming the variable', (name, value, message) => {
    // Act
    const load = () => loadServiceConfig('order', { [name]: value });

    // Assert
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });

  it('never prints a password from a bad URL', () => {
    // Act
    const load = () => loadServiceConfig('order', { DATABASE_URL: 'postgres://app:s3cret@db:5432' });

    // Assert
    expect(load).toThrow(
      'DATABASE_URL: must be a postgres:// URL that names a database (got "postgres://app:***@db:5432")',
    );
    expect(load).not.toThrow(/s3cret/);
  });

  it('lists every bad variable at once', () => {
    // Act
    let error: unknown;
    try {
      loadServiceConfig('order', { PORT: 'x', KAFKA_BROKERS: 'nope' });
    } catch (caught) {
      error = caught;
    }

    // Assert
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(2);
  });
});
