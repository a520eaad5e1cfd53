import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POSTGRES_SERVER, DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER } from '@saga/platform/config';
import { kafkaSecurityFromEnv } from '@saga/platform/config/kafka-security';
import {
  DEV_TOKEN_AUDIENCE,
  DEV_TOKEN_ISSUER,
  LOCAL_POSTGRES_SERVER,
  testKafkaSecurity,
} from '@saga/test-kit';

/**
 * The test kit stands below the production libraries (their own tests use it), so it keeps its own copy
 * of the few platform defaults it needs. The harness may import both: here it shows the copies agree.
 */
describe("the test kit's copies of the platform's defaults", () => {
  it('names the local PostgreSQL server the services default to', () => {
    // Assert
    expect(LOCAL_POSTGRES_SERVER).toBe(DEFAULT_POSTGRES_SERVER);
  });

  it('mints tokens for the issuer and audience the services trust by default', () => {
    // Assert
    expect([DEV_TOKEN_ISSUER, DEV_TOKEN_AUDIENCE]).toEqual([DEFAULT_TOKEN_ISSUER, DEFAULT_TOKEN_AUDIENCE]);
  });

  describe('reads the Kafka security variables as the services do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'saga-test-kit-'));
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const sasl = { KAFKA_SASL_USERNAME: 'saga', KAFKA_SASL_PASSWORD: 'secret' };
    it.each<[string, Record<string, string>]>([
      ['none (PLAINTEXT)', {}],
      ['SCRAM-SHA-256', { KAFKA_SASL_MECHANISM: 'scram-sha-256', ...sasl }],
      ['SCRAM-SHA-512 over TLS', { KAFKA_SASL_MECHANISM: ' SCRAM-SHA-512 ', ...sasl, KAFKA_SSL: 'true' }],
      [
        'PLAIN over TLS with a CA file',
        { KAFKA_SASL_MECHANISM: 'plain', ...sasl, KAFKA_SSL_CA_FILE: caFile },
      ],
      ['TLS only', { KAFKA_SSL: 'true' }],
      ['TLS off', { KAFKA_SSL: 'false' }],
    ])('%s', (_, env) => {
      // Act
      const kit = testKafkaSecurity(env);

      // Assert
      expect(kit).toEqual(kafkaSecurityFromEnv(env));
    });
  });
});
