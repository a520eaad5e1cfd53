import { Client } from 'pg';
import { waitFor } from '@saga/common';
import { SagaHarness } from '@saga/testing';
import { SEED, SERVICES } from './saga-fixtures';

/** Orders placed while the consumer is held up. */
const ORDERS = 12;
/** The size of each pool: one held-up consumer transaction takes all of a pool this small. */
const POOL = 1;

/** Runs `task` `count` times, one after the other. */
async function inTurn<T>(count: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < count; i += 1) results.push(await task(i));
  return results;
}

/**
 * Background work cannot starve the API (issue 18): the Kafka consumer's transactions run on a pool of
 * their own. Here the order service's consumer is held up — every transaction of it waits on a lock of
 * its inbox table, as it would behind a long lock or a slow statement, each holding its connection —
 * while the request path's pool is just as small (one connection each). Every request must still be
 * answered, and the saga goes on once the lock is gone. With one pool for both (the code before), the
 * waiting transaction held the pool's connection, and each request waited for it until the pool's
 * timeout and failed.
 */
describe('requests while the consumer holds its connections', () => {
  let saga: SagaHarness;
  let locker: Client | undefined;

  beforeAll(async () => {
    saga = await SagaHarness.start('request-pool', SERVICES, SEED, {
      env: { DATABASE_POOL_SIZE: String(POOL), DATABASE_BACKGROUND_POOL_SIZE: String(POOL) },
    });
  });

  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await saga?.destroy();
  });

  it('answers every request while the consumer waits, and the saga goes on once it can', async () => {
    // Arrange: the order service's inbox locked against writes, then orders whose events it must apply
    locker = new Client({ connectionString: saga.platform.databases.order.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE inbox IN EXCLUSIVE MODE');
    // One at a time: a pool of one connection serves one request at a time, and the admission gate would
    // refuse what waits for it too long (a 503, which is not what this test is about).
    const placed = await inTurn(ORDERS, () =>
      saga.placeOrder({ customerId: 'rich', items: [{ sku: 'WIDGET', quantity: 1 }] }),
    );
    const waiting = await waitFor(
      async () => {
        const [{ count }] = await saga.query<{ count: number }>(
          'order',
          `SELECT count(*)::int AS count FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
          [(locker as unknown as { processID: number }).processID],
        );
        return count >= POOL ? count : undefined;
      },
      { timeoutMs: 30_000, what: 'a consumer transaction of the order service to wait on the lock' },
    );

    // Act: reads and writes through the request path, while the consumer holds its connections
    const reads = await inTurn(ORDERS, (i) =>
      saga.request('order', 'GET', `/orders/${placed[i].body.orderId}`),
    );
    const writes = await inTurn(3, () =>
      saga.placeOrder({ customerId: 'rich', items: [{ sku: 'GADGET', quantity: 1 }] }),
    );
    await locker.query('COMMIT');
    const accepted = [...placed, ...writes].filter((order) => order.status === 202);
    const settled = await Promise.all(accepted.map((order) => saga.waitForSettled(order.body.orderId)));

    // Assert
    expect(waiting).toBeGreaterThanOrEqual(POOL);
    expect(placed.map((order) => order.status)).toEqual(placed.map(() => 202));
    expect(reads.map((read) => read.status)).toEqual(reads.map(() => 200));
    expect(writes.map((write) => write.status)).toEqual([202, 202, 202]);
    expect(settled.map((order) => order.status)).toEqual(
      Array.from({ length: ORDERS + 3 }, () => 'CONFIRMED'),
    );
  });
});
