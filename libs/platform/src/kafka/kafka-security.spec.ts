import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadServiceConfig } from '../config';
import { kafkaClientConfig } from './kafka-options';
import { kafkaSecurityFromEnv } from '../config/kafka-security';

const PASSWORD = 'n0t-a-real-s3cret';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** The problems a ConfigError lists, or fails when `parse` does not throw one. */
function problemsOf(parse: () => unknown): readonly string[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('kafkaSecurityFromEnv', () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'kafka-security-'));
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('configures nothing when no variable is set (a PLAINTEXT broker)', () => {
    expect(kafkaSecurityFromEnv({})).toEqual({});
  });

  it.each([
    ['scram-sha-256', 'scram-sha-256'],
    ['scram-sha-512', 'scram-sha-512'],
    ['SCRAM-SHA-512', 'scram-sha-512'],
  ])('reads KAFKA_SASL_MECHANISM=%s as the kafkajs mechanism %s', (raw, mechanism) => {
    // Act
    const security = kafkaSecurityFromEnv({
      KAFKA_SASL_MECHANISM: raw,
      KAFKA_SASL_USERNAME: 'saga',
      KAFKA_SASL_PASSWORD: PASSWORD,
    });

    // Assert
    expect(security).toEqual({ sasl: { mechanism, username: 'saga', password: PASSWORD } });
  });

  it('takes plain only over TLS, where the password is not in clear', () => {
    // Arrange
    const plain = {
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'saga',
      KAFKA_SASL_PASSWORD: PASSWORD,
    };

    // Act / Assert
    expect(kafkaSecurityFromEnv({ ...plain, KAFKA_SSL: 'true' })).toEqual({
      sasl: { mechanism: 'plain', username: 'saga', password: PASSWORD },
      ssl: true,
    });
    expect(problemsOf(() => kafkaSecurityFromEnv(plain))).toEqual([
      'KAFKA_SASL_MECHANISM: plain sends the password in clear: use it only with TLS (KAFKA_SSL=true or KAFKA_SSL_CA_FILE) (got "plain")',
    ]);
  });

  it.each(['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'])(
    'refuses a mechanism without %s, naming it',
    (missing) => {
      // Arrange
      const env: Record<string, string> = {
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: 'saga',
        KAFKA_SASL_PASSWORD: PASSWORD,
      };
      delete env[missing];

      // Act
      const problems = problemsOf(() => kafkaSecurityFromEnv(env));

      // Assert
      expect(problems).toEqual([`${missing}: is required when KAFKA_SASL_MECHANISM is set (got unset)`]);
    },
  );

  it('refuses an unknown mechanism and lists the valid ones', () => {
    // Act
    const problems = problemsOf(() =>
      kafkaSecurityFromEnv({
        KAFKA_SASL_MECHANISM: 'gssapi',
        KAFKA_SASL_USERNAME: 'saga',
        KAFKA_SASL_PASSWORD: PASSWORD,
      }),
    );

    // Assert
    expect(problems).toEqual([
      'KAFKA_SASL_MECHANISM: must be scram-sha-256, scram-sha-512 or plain (got "gssapi")',
    ]);
  });

  it('refuses credentials without a mechanism, never showing the password', () => {
    // Act
    const problems = problemsOf(() =>
      kafkaSecurityFromEnv({ KAFKA_SASL_USERNAME: 'saga', KAFKA_SASL_PASSWORD: PASSWORD }),
    );

    // Assert
    expect(problems).toEqual([
      'KAFKA_SASL_USERNAME: is set but KAFKA_SASL_MECHANISM is not (got "saga")',
      'KAFKA_SASL_PASSWORD: is set but KAFKA_SASL_MECHANISM is not (got "***")',
    ]);
    expect(problems.join('\n')).not.toContain(PASSWORD);
  });

  it('turns TLS on with KAFKA_SSL=true and refuses other values', () => {
    expect(kafkaSecurityFromEnv({ KAFKA_SSL: 'true' })).toEqual({ ssl: true });
    expect(kafkaSecurityFromEnv({ KAFKA_SSL: 'false' })).toEqual({});
    expect(problemsOf(() => kafkaSecurityFromEnv({ KAFKA_SSL: 'yes' }))).toEqual([
      'KAFKA_SSL: must be true or false (got "yes")',
    ]);
  });

  it('reads the CA bundle of KAFKA_SSL_CA_FILE at once and turns TLS on with it', () => {
    // Arrange
    const file = join(folder, 'ca.pem');
    writeFileSync(file, PEM);

    // Act
    const security = kafkaSecurityFromEnv({
      KAFKA_SSL_CA_FILE: file,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'saga',
      KAFKA_SASL_PASSWORD: PASSWORD,
    });

    // Assert
    expect(security).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'saga', password: PASSWORD },
      ssl: { ca: [PEM] },
    });
  });

  it('refuses a KAFKA_SSL_CA_FILE that does not exist, naming the variable and the path', () => {
    // Arrange
    const file = join(folder, 'missing.pem');

    // Act
    const problems = problemsOf(() => kafkaSecurityFromEnv({ KAFKA_SSL_CA_FILE: file }));

    // Assert
    expect(problems).toEqual([`KAFKA_SSL_CA_FILE: cannot be read (ENOENT) (got ${JSON.stringify(file)})`]);
  });

  it('refuses a KAFKA_SSL_CA_FILE that holds no PEM certificate, and a CA file with KAFKA_SSL=false', () => {
    // Arrange
    const file = join(folder, 'not-a-ca.txt');
    writeFileSync(file, 'hello');
    const ca = join(folder, 'ca-2.pem');
    writeFileSync(ca, PEM);

    // Act
    const notPem = problemsOf(() => kafkaSecurityFromEnv({ KAFKA_SSL_CA_FILE: file }));
    const contradiction = problemsOf(() =>
      kafkaSecurityFromEnv({ KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: ca }),
    );

    // Assert
    expect(notPem).toEqual([
      `KAFKA_SSL_CA_FILE: must be a PEM file of CA certificates (-----BEGIN CERTIFICATE-----) (got ${JSON.stringify(file)})`,
    ]);
    expect(contradiction).toEqual([
      'KAFKA_SSL: is false but KAFKA_SSL_CA_FILE is set (a CA file means TLS) (got "false")',
    ]);
  });
});

describe('Kafka security in the service config', () => {
  it('passes SASL and TLS from the environment to every client of the service', () => {
    // Arrange
    const config = loadServiceConfig('payment', {
      KAFKA_BROKERS: 'kafka:9094',
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'payment',
      KAFKA_SASL_PASSWORD: PASSWORD,
      KAFKA_SSL: 'true',
    });

    // Act
    const client = kafkaClientConfig(config);

    // Assert
    expect(client).toMatchObject({
      brokers: ['kafka:9094'],
      sasl: { mechanism: 'scram-sha-256', username: 'payment', password: PASSWORD },
      ssl: true,
    });
  });

  it('configures neither SASL nor TLS by default', () => {
    // Act
    const client = kafkaClientConfig(loadServiceConfig('payment', {}));

    // Assert
    expect(client.sasl).toBeUndefined();
    expect(client.ssl).toBeUndefined();
  });

  it('fails the service config with the same messages, the password redacted', () => {
    // Act
    const problems = problemsOf(() =>
      loadServiceConfig('order', { KAFKA_SASL_MECHANISM: 'scram-sha-1', KAFKA_SASL_PASSWORD: PASSWORD }),
    );

    // Assert
    expect(problems).toEqual([
      'KAFKA_SASL_MECHANISM: must be scram-sha-256, scram-sha-512 or plain (got "scram-sha-1")',
    ]);
    expect(
      problemsOf(() =>
        loadServiceConfig('order', { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_PASSWORD: PASSWORD }),
      ),
    ).toEqual(['KAFKA_SASL_USERNAME: is required when KAFKA_SASL_MECHANISM is set (got unset)']);
  });
});
