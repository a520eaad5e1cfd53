import { parse } from 'yaml';
import { PLATFORM_SERVICE_NAMES, allTopics } from '@saga/contracts';
import {
  DEFAULT_PORTS,
  DEFAULT_POSTGRES_SERVER,
  databaseName,
  databaseRole,
  serviceDatabaseSql,
} from '@saga/platform/config';
import { read, type Compose } from './deployment-fixtures';
import { MANAGED_POSTGRES_PORT, MANAGED_POSTGRES_SETTINGS } from './managed-postgres';

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as Compose;

  it('runs Kafka 3.9 and PostgreSQL', () => {
    expect(compose.services.kafka.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(compose.services.postgres.image).toMatch(/^postgres:15/);
  });

  it("runs PostgreSQL as infra:up runs its own: the same settings, on the platform's default port", () => {
    // Arrange
    const postgres = compose.services.postgres;
    const settings = (postgres.command ?? []).filter((_, i, all) => all[i - 1] === '-c');

    // Assert
    expect(settings).toEqual(
      Object.entries(MANAGED_POSTGRES_SETTINGS).map(([name, value]) => `${name}=${value.replace(/'/g, '')}`),
    );
    expect(postgres.ports).toEqual([`127.0.0.1:${MANAGED_POSTGRES_PORT}:5432`]);
    expect(new URL(DEFAULT_POSTGRES_SERVER).port).toBe(String(MANAGED_POSTGRES_PORT));
  });

  it('creates exactly the topics of the registry, with their partitions, cleanup policy, size limit and retention', () => {
    // Arrange
    const script = compose.services['kafka-topics'].command?.join('\n') ?? '';

    // Act
    const created = [...script.matchAll(/^\s*create (\S+) (\d+) (\w+) (\d+)(?: (-?\d+))?$/gm)].map(
      ([, name, partitions, policy, maxBytes, retention]) => ({
        name,
        partitions: Number(partitions),
        cleanupPolicy: policy,
        maxMessageBytes: Number(maxBytes),
        ...(retention === undefined ? {} : { retentionMs: Number(retention) }),
      }),
    );

    // Assert
    expect(created).toEqual(
      allTopics().map(({ name, partitions, cleanupPolicy, maxMessageBytes, retentionMs }) => ({
        name,
        partitions,
        cleanupPolicy,
        maxMessageBytes,
        ...(retentionMs === undefined ? {} : { retentionMs }),
      })),
    );
  });

  it("creates every service's role and its database, which only that role may connect to, in the PostgreSQL init script", () => {
    // Act
    const statements = read('infra/postgres/init.sql')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('--'));

    // Assert
    expect(statements).toEqual(
      PLATFORM_SERVICE_NAMES.flatMap((name) => {
        return serviceDatabaseSql(databaseRole(name), databaseName(name));
      }),
    );
  });

  it.each(PLATFORM_SERVICE_NAMES)(
    'builds %s from the Dockerfile and points it at its database (as its own role), Kafka and port',
    (name) => {
      // Arrange
      const service = compose.services[name];
      const port = DEFAULT_PORTS[name];

      // Assert
      expect(service.build).toEqual({ context: '.', args: { SERVICE: name } });
      expect(service.environment).toMatchObject({
        HOST: '0.0.0.0',
        PORT: port,
        DATABASE_URL: `postgres://${databaseRole(name)}@postgres:5432/${databaseName(name)}`,
        KAFKA_BROKERS: 'kafka:29092',
        // Required: compose refuses to start without the issuer's key, and no key is in the file.
        AUTH_JWT_PUBLIC_KEY: expect.stringMatching(
          /^\$\{AUTH_JWT_PUBLIC_KEY:\?.*npm run -s token -- --public-key/,
        ),
      });
      expect(service.ports).toEqual([`127.0.0.1:${port}:${port}`]);
      expect(service.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        'kafka-topics': { condition: 'service_completed_successfully' },
        mailpit: { condition: 'service_started' },
      });
      expect(service.healthcheck?.test.join(' ')).toContain('/health/ready');
    },
  );

  it('sends the e-mails to Mailpit, whose inbox and the Kafka UI listen on loopback only', () => {
    expect(compose.services.notification.environment).toMatchObject({
      SMTP_HOST: 'mailpit',
      SMTP_PORT: 1025,
    });
    expect(compose.services.mailpit.ports).toContain('127.0.0.1:8025:8025');
    expect(compose.services['kafka-ui'].ports).toEqual(['127.0.0.1:8080:8080']);
    expect(compose.services['kafka-ui'].environment).toMatchObject({
      KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS: 'kafka:29092',
    });
  });

  it('pins every image to a version', () => {
    // Act
    const images = Object.values(compose.services).flatMap(({ image }) =>
      image === undefined ? [] : [image],
    );

    // Assert
    expect(images).toEqual(
      expect.arrayContaining(
        [
          'axllent/mailpit',
          'ghcr.io/kafbat/kafka-ui',
          'jaegertracing/all-in-one',
          'prom/prometheus',
          'grafana/grafana',
        ].map(anyTag),
      ),
    );
    images.forEach((image) => expect(image).toMatch(/:(?!latest$)[\w.-]+$/));
  });
});

function anyTag(repository: string): unknown {
  return expect.stringMatching(new RegExp(`^${repository.replace(/\./g, '\\.')}:`));
}
