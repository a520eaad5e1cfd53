import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { databaseRole, roleDatabaseUrl } from '@saga/platform/config';
import { ensureLoginRole } from '@saga/provisioning';
import { createTestDatabase, onServer, postgresServerUrl, type TestDatabase } from '@saga/test-kit';
import { createServiceTestDatabase, createTestDataSource, type ServiceTestDatabase } from '@saga/testing';
import { OrderInitialSchema1795300000000 } from '../../apps/order/src/migrations/1795300000000-order-initial-schema';
import { OrderStuckAt1795300000001 } from '../../apps/order/src/migrations/1795300000001-order-stuck-at';
import { handOverDatabase } from './hand-over-database';

const server = postgresServerUrl();
const unique = (what: string) => `saga_test_${what}_${randomBytes(4).toString('hex')}`;

/** Connects to `url`, runs `work`, disconnects: the connection error, if any, is what the caller sees. */
async function asRole<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const superuser = <T>(work: (client: Client) => Promise<T>) => onServer(server, work);

describe('least privilege in PostgreSQL: a role per service (real PostgreSQL)', () => {
  let order: ServiceTestDatabase;
  let payment: ServiceTestDatabase;
  const roles: string[] = [];
  const databases: TestDatabase[] = [];

  beforeAll(async () => {
    [order, payment] = await Promise.all([
      createServiceTestDatabase('order', 'privilege_order'),
      createServiceTestDatabase('payment', 'privilege_payment'),
    ]);
  });

  afterAll(async () => {
    await Promise.all([order, payment, ...databases].map((database) => database?.drop()));
    await superuser(async (client) => {
      for (const role of roles) await client.query(`DROP ROLE IF EXISTS "${role}"`);
    });
  });

  it("lets the order role connect to its own database and run the order service's migrations there", async () => {
    // Act
    const dataSource = await createTestDataSource(order.serviceUrl, [
      OrderInitialSchema1795300000000,
      OrderStuckAt1795300000001,
    ]);
    const [{ user }] = await dataSource.query<{ user: string }[]>('SELECT current_user AS user');
    await dataSource.query(
      `INSERT INTO catalog_products (sku, name, price_cents, currency, status, available, source_time, source_offset)
       VALUES ('SKU-1', 'Mug', 900, 'EUR', 'ACTIVE', 3, now(), 0)`,
    );
    const products = await dataSource.query<{ sku: string }[]>('SELECT sku FROM catalog_products');
    const owners = await dataSource.query<{ owner: string }[]>(
      `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S', 'i')`,
    );
    await dataSource.destroy();

    // Assert
    expect(user).toBe('order_service');
    expect(products).toEqual([{ sku: 'SKU-1' }]);
    expect(owners).toEqual([{ owner: 'order_service' }]);
  });

  it("refuses the order role a connection to the payment service's database", async () => {
    // Arrange
    const orderOnPayment = roleDatabaseUrl(server, databaseRole('order'), payment.name);

    // Act
    const connect = asRole(orderOnPayment, (client) => client.query('SELECT 1'));

    // Assert
    await expect(connect).rejects.toMatchObject({
      code: '42501',
      message: expect.stringMatching(/^permission denied for database "saga_test_privilege_payment_\w+"/),
    });
  });

  it('gives the order role no power over the cluster: it cannot create databases or roles', async () => {
    // Act
    const attempts = await asRole(order.serviceUrl, async (client) => {
      const refusal = (sql: string) =>
        client.query(sql).then(
          () => 'allowed',
          (error: Error) => error.message,
        );
      return {
        database: await refusal(`CREATE DATABASE ${unique('by_order')}`),
        role: await refusal(`CREATE ROLE ${unique('by_order')}`),
      };
    });
    const attributes = await superuser(async (client) => {
      const { rows } = await client.query<Record<string, boolean>>(
        `SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls
           FROM pg_roles WHERE rolname = 'order_service'`,
      );
      return rows;
    });

    // Assert
    expect(attempts).toEqual({
      database: 'permission denied to create database',
      role: 'permission denied to create role',
    });
    expect(attributes).toEqual([
      {
        rolcanlogin: true,
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolreplication: false,
        rolbypassrls: false,
      },
    ]);
  });

  it('refuses a role with no grant of its own (only PUBLIC) a connection to a service database', async () => {
    // Arrange
    const nobody = unique('nobody');
    roles.push(nobody);
    await superuser((client) => client.query(`CREATE ROLE ${nobody} LOGIN`));

    // Act
    const connect = asRole(roleDatabaseUrl(server, nobody, order.name), (client) => client.query('SELECT 1'));

    // Assert
    await expect(connect).rejects.toMatchObject({
      code: '42501',
      message: expect.stringMatching(/^permission denied for database "saga_test_privilege_order_\w+"/),
    });
  });

  it('creates a role once when many connections ensure it at once, and leaves it a plain LOGIN role', async () => {
    // Arrange
    const role = unique('raced');
    roles.push(role);

    // Act
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => superuser((client) => ensureLoginRole(client, role))),
    );
    await superuser((client) => client.query(`ALTER ROLE ${role} CREATEDB`));
    const repaired = await superuser((client) => ensureLoginRole(client, role));

    // Assert
    expect(outcomes.sort()).toEqual([
      'created',
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(repaired).toBe('updated');
  });

  it("gives a database that postgres made and migrated to the service's role, objects and all, idempotently", async () => {
    // Arrange: a database from before the roles: owned by postgres, open to PUBLIC, its objects postgres's.
    const legacy = await createTestDatabase('privilege_legacy');
    databases.push(legacy);
    await asRole(legacy.url, (client) =>
      client.query(`
        CREATE TYPE status AS ENUM ('PENDING', 'DONE');
        CREATE TABLE jobs (id serial PRIMARY KEY, status status NOT NULL DEFAULT 'PENDING');
        CREATE TABLE tickets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
        CREATE SEQUENCE numbers;
        CREATE VIEW pending AS SELECT id FROM jobs WHERE status = 'PENDING';
        CREATE FUNCTION job_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM jobs';
        CREATE SCHEMA reports;
        CREATE TABLE reports.daily (day date PRIMARY KEY);
        INSERT INTO jobs DEFAULT VALUES;`),
    );
    const converted = await superuser((admin) =>
      handOverDatabase(admin, server, legacy.name, 'order_service'),
    );

    // Act
    const asOrder = roleDatabaseUrl(server, 'order_service', legacy.name);
    const used = await asRole(asOrder, async (client) => {
      await client.query('INSERT INTO jobs DEFAULT VALUES');
      await client.query('INSERT INTO tickets DEFAULT VALUES');
      await client.query('INSERT INTO reports.daily VALUES (current_date)');
      await client.query('ALTER TABLE jobs ADD COLUMN note text');
      const { rows } = await client.query<{ n: string }>(
        "SELECT job_count() AS n, nextval('numbers'), (SELECT count(*) FROM pending)",
      );
      return Number(rows[0].n);
    });
    const notOrder = await asRole(asOrder, (client) =>
      client.query<{ what: string }>(`
        SELECT c.relname AS what FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ('public', 'reports') AND c.relowner <> 'order_service'::regrole
        UNION ALL SELECT nspname FROM pg_namespace WHERE nspname = 'reports' AND nspowner <> 'order_service'::regrole
        UNION ALL SELECT typname FROM pg_type WHERE typname = 'status' AND typowner <> 'order_service'::regrole
        UNION ALL SELECT proname FROM pg_proc WHERE proname = 'job_count' AND proowner <> 'order_service'::regrole`),
    );
    const database = await superuser(async (client) => {
      const { rows } = await client.query<{ owner: string; acl: string }>(
        'SELECT pg_get_userbyid(datdba) AS owner, datacl::text AS acl FROM pg_database WHERE datname = $1',
        [legacy.name],
      );
      return rows[0];
    });
    const again = await superuser((admin) => handOverDatabase(admin, server, legacy.name, 'order_service'));

    // Assert
    expect(converted.length).toBeGreaterThan(0);
    expect(used).toBe(2);
    expect(notOrder.rows).toEqual([]);
    expect(database.owner).toBe('order_service');
    expect(database.acl).not.toMatch(/[{,]=/); // no entry for PUBLIC
    expect(database.acl).toContain('order_service=');
    expect(again).toEqual([]);
  });
});
