import request from 'supertest';
import { Client } from 'pg';
import { orderService } from '../apps/order/src/app.module';
import { ConfigError, startService } from '@saga/platform';
import { waitFor } from '@saga/common';
import { TokenIssuer, onServer, postgresServerUrl, testBrokers } from '@saga/test-kit';
import { SagaPlatform } from '@saga/testing';
import { SEED, SERVICES } from './saga/saga-fixtures';

const OWNED: Array<[keyof typeof SERVICES, string[]]> = [
  ['order', ['orders', 'order_items', 'order_timeline', 'catalog_products']],
  ['payment', ['accounts', 'payments', 'account_entries']],
  ['inventory', ['products', 'reservations', 'reservation_lines']],
  ['notification', ['notifications']],
];

async function tables(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    return rows.map((row) => row.table_name);
  } finally {
    await client.end();
  }
}

describe('the four services boot against the real database and broker', () => {
  let platform: SagaPlatform;
  const running = (name: keyof typeof SERVICES) => ({
    service: platform.instance(name)!,
    database: platform.databases[name],
  });

  beforeAll(async () => {
    // A private copy (own databases, topics and SMTP sink): booting must not touch the shared topics.
    platform = await SagaPlatform.start('health', SERVICES, SEED);
  });

  afterAll(async () => {
    await platform?.destroy();
  });

  it.each(OWNED)('%s: runs its migrations and reports database and Kafka ready', async (name, owned) => {
    // Arrange
    const { service, database } = running(name);

    // Act
    const live = await request(service.url).get('/health/live');
    const ready = await request(service.url).get('/health/ready');

    // Assert
    expect(live.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(ready.body.details).toMatchObject({
      database: { status: 'up' },
      kafka: { status: 'up' },
      outbox: { status: 'up', backlog: 0 },
      consumer: { status: 'up' },
    });
    expect(['leader', 'standby']).toContain(ready.body.details.outbox.role);
    expect(await tables(database.url)).toEqual(expect.arrayContaining([...owned, 'typeorm_migrations']));
  });

  it('answers 503 naming the database while it refuses connections, and 200 again once it is back', async () => {
    // Arrange
    const { service, database } = running('payment');
    const server = postgresServerUrl();
    const ready = () => request(service.url).get('/health/ready');

    // Act
    await onServer(server, async (client) => {
      await client.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS false`);
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
        database.name,
      ]);
    });
    const down = await waitFor(async () => ((await ready()).status === 503 ? await ready() : undefined), {
      timeoutMs: 15_000,
      what: 'readiness to fail',
    });
    // The four apps share this process; each must check its own data source, not a neighbour's.
    const neighbour = await request(running('order').service.url).get('/health/ready');
    await onServer(server, (client) =>
      client.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS true`),
    );
    const back = await waitFor(async () => ((await ready()).status === 200 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'readiness to recover',
    });

    // Assert
    expect(down.body.details).toMatchObject({ database: { status: 'down' }, kafka: { status: 'up' } });
    expect(neighbour.status).toBe(200);
    expect(back).toBe(true);
  });

  it('answers an unknown route with a problem+json 404', async () => {
    // Act
    const response = await request(running('order').service.url).get('/no-such-thing');

    // Assert
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 404, title: 'Not Found', instance: '/no-such-thing' });
  });

  it('refuses to boot with bad configuration, naming the variable', async () => {
    await expect(
      startService(orderService, { PORT: 'eighty', KAFKA_BROKERS: testBrokers().join(',') }),
    ).rejects.toThrow(ConfigError);
    await expect(startService(orderService, { PORT: 'eighty' })).rejects.toThrow(/PORT: must be a number/);
  });

  it('refuses to boot without a key to verify tokens, or with a private key in its place', async () => {
    const env = { PORT: '0', KAFKA_BROKERS: testBrokers().join(',') };
    await expect(startService(orderService, env)).rejects.toThrow(/AUTH_JWT_PUBLIC_KEY: must be set/);
    await expect(
      startService(orderService, { ...env, AUTH_JWT_PUBLIC_KEY: TokenIssuer.generate().privateKeyPem() }),
    ).rejects.toThrow(/AUTH_JWT_PUBLIC_KEY: must be a PEM public key .*\(got "\*\*\*"\)/);
  });
});
