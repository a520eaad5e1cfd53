import { Client } from 'pg';
import { postgresServerUrl } from './postgres-server';
import { createTestDatabase, onServer, type TestDatabase } from './test-database';

describe('createTestDatabase (real PostgreSQL)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('roundtrip');
  });

  afterAll(async () => {
    await database.drop();
  });

  it('round-trips a row through a fresh database of its own', async () => {
    // Arrange
    const client = new Client({ connectionString: database.url });
    await client.connect();
    await client.query(
      'CREATE TABLE probe (id int PRIMARY KEY, body jsonb NOT NULL, at timestamptz NOT NULL)',
    );
    const at = new Date('2026-11-22T10:00:00.123Z');

    // Act
    await client.query('INSERT INTO probe VALUES ($1, $2, $3)', [
      1,
      { orderId: 'o-1', totalCents: 1999 },
      at,
    ]);
    const { rows } = await client.query('SELECT id, body, at FROM probe');
    await client.end();

    // Assert
    expect(rows).toEqual([{ id: 1, body: { orderId: 'o-1', totalCents: 1999 }, at }]);
  });

  it('drops the database, open connections and all', async () => {
    // Arrange
    const other = await createTestDatabase('dropped');
    const client = new Client({ connectionString: other.url });
    client.on('error', () => undefined); // the drop terminates this connection on purpose
    await client.connect();

    // Act
    await other.drop();

    // Assert
    const remaining = await onServer(postgresServerUrl(), (server) =>
      server.query('SELECT 1 FROM pg_database WHERE datname = $1', [other.name]),
    );
    expect(remaining.rowCount).toBe(0);
    await client.end().catch(() => undefined);
  });
});
