import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { PlatformMetrics, type Telemetry } from '@saga/platform';
import { waitFor } from '@saga/common';
import { createTestDatabase, parseMetrics, type TestDatabase } from '@saga/test-kit';
import { createTestDataSource } from '@saga/testing';
import { OrderInitialSchema1795300000000 } from '../../migrations/1795300000000-order-initial-schema';
import { OrderStuckAt1795300000001 } from '../../migrations/1795300000001-order-stuck-at';
import type { OrderStatus, TimelineStep } from '../order-status';
import { StuckOrderDetector } from './stuck-order.detector';

describe('StuckOrderDetector (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('order_stuck');
    dataSource = await createTestDataSource(database.url, [
      OrderInitialSchema1795300000000,
      OrderStuckAt1795300000001,
    ]);
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /** An order placed `ageS` seconds ago, with its timeline. */
  async function addOrder(status: OrderStatus, ageS: number, steps: TimelineStep[]): Promise<string> {
    const orderId = randomUUID();
    await dataSource.query(
      `INSERT INTO orders (id, customer_id, status, total_cents, currency, created_at)
       VALUES ($1, 'alice', $2, 100, 'EUR', now() - make_interval(secs => $3))`,
      [orderId, status, ageS],
    );
    for (const step of steps)
      await dataSource.query('INSERT INTO order_timeline (order_id, step) VALUES ($1, $2)', [orderId, step]);
    return orderId;
  }

  function detector() {
    const metrics = new PlatformMetrics('order');
    const telemetry = { metrics } as unknown as Telemetry;
    const warnings: string[] = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
    const stuck = new StuckOrderDetector(dataSource, { afterMs: 60_000, checkIntervalMs: 50 }, telemetry);
    return { stuck, warnings, scrape: async () => parseMetrics(await metrics.registry.metrics()) };
  }

  it('flags each order unsettled past the deadline once, logs its last step, and counts the stuck at scrape', async () => {
    // Arrange
    await dataSource.query('TRUNCATE orders CASCADE');
    const pending = await addOrder('PENDING', 120, ['PLACED', 'PAYMENT_AUTHORIZED']);
    const cancelling = await addOrder('CANCELLING', 90, ['PLACED', 'CANCELLATION_REQUESTED']);
    await addOrder('CONFIRMED', 300, ['PLACED', 'CONFIRMED']);
    await addOrder('PENDING', 5, ['PLACED']); // within the deadline
    const { stuck, warnings, scrape } = detector();

    // Act
    await stuck.flagRound();
    await stuck.flagRound(); // a second round (or a second instance) flags nothing new

    // Assert
    expect(warnings.sort()).toEqual(
      [
        `order ${pending} stuck: not settled 60 s after it was placed; status PENDING, last step PAYMENT_AUTHORIZED`,
        `order ${cancelling} stuck: not settled 60 s after it was placed; status CANCELLING, last step CANCELLATION_REQUESTED`,
      ].sort(),
    );
    const flagged: { id: string }[] = await dataSource.query(
      'SELECT id FROM orders WHERE stuck_at IS NOT NULL ORDER BY id',
    );
    expect(flagged.map((row) => row.id)).toEqual([pending, cancelling].sort());
    const metrics = await scrape();
    expect({
      flagged: metrics.sum('saga_orders_flagged_stuck_total'),
      stuck: metrics.sum('saga_orders_stuck'),
    }).toEqual({ flagged: 2, stuck: 2 });
  });

  it('no longer counts an order as stuck once it settles, and runs rounds on its timer until shut down', async () => {
    // Arrange
    await dataSource.query('TRUNCATE orders CASCADE');
    const order = await addOrder('PENDING', 120, ['PLACED']);
    const { stuck, warnings, scrape } = detector();

    // Act
    stuck.onApplicationBootstrap();
    await waitFor(() => warnings.length > 0 || undefined, { timeoutMs: 5_000, what: 'a round on the timer' });
    await stuck.onApplicationShutdown();
    await dataSource.query(`UPDATE orders SET status = 'CONFIRMED' WHERE id = $1`, [order]);

    // Assert
    expect(warnings).toEqual([
      `order ${order} stuck: not settled 60 s after it was placed; status PENDING, last step PLACED`,
    ]);
    await expect(scrape().then((metrics) => metrics.sum('saga_orders_stuck'))).resolves.toBe(0);
  });
});
