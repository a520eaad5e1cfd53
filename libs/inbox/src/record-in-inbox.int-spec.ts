import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  createMigratedDataSource,
  createTestDatabase,
  waitForLockWait,
  type TestDatabase,
} from '@saga/test-kit';
import { CreateInbox1795300000002 } from './create-inbox.migration';
import { deleteExpiredInbox } from './delete-expired-inbox';
import { recordInInbox } from './record-in-inbox';

describe('inbox (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('inbox');
    dataSource = await createMigratedDataSource(database.url, [CreateInbox1795300000002]);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  const event = () => ({ id: randomUUID(), type: 'order.placed.v1' });

  it('records an event once per consumer: the second delivery is a duplicate', async () => {
    // Arrange
    const placed = event();

    // Act
    const first = await dataSource.transaction((manager) =>
      recordInInbox(manager, 'payment-service', placed),
    );
    const again = await dataSource.transaction((manager) =>
      recordInInbox(manager, 'payment-service', placed),
    );
    const otherConsumer = await dataSource.transaction((manager) =>
      recordInInbox(manager, 'inventory-service', placed),
    );

    // Assert
    expect([first, again, otherConsumer]).toEqual([true, false, true]);
  });

  it('forgets an entry whose transaction rolled back, so the event is applied on redelivery', async () => {
    // Arrange
    const placed = event();

    // Act
    await dataSource
      .transaction(async (manager) => {
        await recordInInbox(manager, 'payment-service', placed);
        throw new Error('handler failed');
      })
      .catch(() => undefined);
    const redelivered = await dataSource.transaction((manager) =>
      recordInInbox(manager, 'payment-service', placed),
    );

    // Assert
    expect(redelivered).toBe(true);
  });

  it('lets exactly one of two racing deliveries apply the event', async () => {
    // Arrange
    const placed = event();
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));

    // Act: the first records it and holds its transaction open while the second tries.
    let firstRecorded!: () => void;
    const recorded = new Promise<void>((resolve) => (firstRecorded = resolve));
    const first = dataSource.transaction(async (manager) => {
      const applied = await recordInInbox(manager, 'payment-service', placed);
      firstRecorded();
      await firstHolds;
      return applied;
    });
    await recorded;
    const second = dataSource.transaction((manager) => recordInInbox(manager, 'payment-service', placed));
    // Release the first only once the second is seen waiting on its row lock.
    await waitForLockWait(dataSource);
    releaseFirst();
    const results = await Promise.all([first, second]);

    // Assert
    expect(results).toEqual([true, false]);
  });

  it('deletes entries past the retention, and only those', async () => {
    // Arrange
    const old = event();
    const recent = event();
    await dataSource.transaction(async (manager) => {
      await recordInInbox(manager, 'cleanup-test', old);
      await recordInInbox(manager, 'cleanup-test', recent);
    });
    await dataSource.query(`UPDATE inbox SET received_at = now() - interval '8 days' WHERE event_id = $1`, [
      old.id,
    ]);
    const pool = (dataSource.driver as unknown as { master: Parameters<typeof deleteExpiredInbox>[0] })
      .master;

    // Act
    await deleteExpiredInbox(pool, { retentionMs: 7 * 86400_000, batchSize: 1 });
    const left: { event_id: string }[] = await dataSource.query(
      `SELECT event_id FROM inbox WHERE consumer = 'cleanup-test'`,
    );

    // Assert
    expect(left.map((row) => row.event_id)).toEqual([recent.id]);
  });
});
