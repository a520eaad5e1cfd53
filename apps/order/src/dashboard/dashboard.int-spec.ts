import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type { DataSource } from 'typeorm';
import { waitFor } from '@saga/common';
import { createTestDatabase, type TestDatabase } from '@saga/test-kit';
import { createTestDataSource } from '@saga/testing';
import { OrderInitialSchema1795300000000 } from '../migrations/1795300000000-order-initial-schema';
import { OrderStuckAt1795300000001 } from '../migrations/1795300000001-order-stuck-at';
import type { OrderStatus, TimelineStep } from '../orders/order-status';
import { DashboardFeedService, type FeedMessage } from './feed/dashboard-feed.service';
import { DashboardSummaryService } from './summary/dashboard-summary.service';

/** A minute's deadline, as the service defaults to. */
const STUCK = { afterMs: 60_000, checkIntervalMs: 5_000 };

describe('dashboard feed and summary (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let subscription: Subscription | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('order_dashboard');
    dataSource = await createTestDataSource(database.url, [
      OrderInitialSchema1795300000000,
      OrderStuckAt1795300000001,
    ]);
  });
  afterEach(() => subscription?.unsubscribe());
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  async function addOrder(status: OrderStatus, reason: string | null = null, runner = dataSource.manager) {
    const orderId = randomUUID();
    await runner.query(
      `INSERT INTO orders (id, customer_id, status, total_cents, currency, reason) VALUES ($1, 'alice', $2, 8900, 'EUR', $3)`,
      [orderId, status, reason],
    );
    await runner.query(
      `INSERT INTO order_items (order_id, line_no, sku, quantity, unit_price_cents) VALUES ($1, 1, 'KEYBOARD-01', 1, 8900)`,
      [orderId],
    );
    return orderId;
  }

  async function addStep(orderId: string, step: TimelineStep, runner = dataSource.manager): Promise<number> {
    const [{ id }]: { id: string }[] = await runner.query(
      'INSERT INTO order_timeline (order_id, step) VALUES ($1, $2) RETURNING id',
      [orderId, step],
    );
    return Number(id);
  }

  function listen(): FeedMessage[] {
    const messages: FeedMessage[] = [];
    subscription = new DashboardFeedService(dataSource)
      .feed(30)
      .subscribe((message) => messages.push(message));
    return messages;
  }

  const sentStepIds = (messages: FeedMessage[]) =>
    messages.flatMap((message) => (message.kind === 'steps' ? message.steps.map((step) => step.id) : []));

  it('sends a snapshot, then each new timeline step once, in order, with its order', async () => {
    // Arrange
    const earlier = await addOrder('PENDING');
    await addStep(earlier, 'PLACED');
    const messages = listen();
    await waitFor(() => messages.length > 0, { timeoutMs: 5000, what: 'the snapshot' });

    // Act
    const ids = [
      await addStep(earlier, 'PAYMENT_AUTHORIZED'),
      await addStep(earlier, 'STOCK_RESERVED'),
      await addStep(earlier, 'CONFIRMED'),
    ];
    await dataSource.query(`UPDATE orders SET status = 'CONFIRMED' WHERE id = $1`, [earlier]);
    const later = await addOrder('PENDING');
    ids.push(await addStep(later, 'PLACED'));
    await waitFor(() => sentStepIds(messages).length >= 4, { timeoutMs: 5000, what: 'four steps' });

    // Assert
    const [snapshot] = messages;
    expect(snapshot).toMatchObject({
      kind: 'snapshot',
      orders: [
        {
          orderId: earlier,
          customerId: 'alice',
          status: 'PENDING',
          totalCents: 8900,
          items: [{ sku: 'KEYBOARD-01', quantity: 1 }],
          timeline: [{ step: 'PLACED' }],
        },
      ],
    });
    expect(sentStepIds(messages)).toEqual(ids);
    const last = messages.at(-1);
    expect(last?.kind === 'steps' && last.orders.map((order) => order.orderId)).toContain(later);
  });

  it('sends a step that committed after a later one, once', async () => {
    // Arrange
    const orderId = await addOrder('PENDING');
    const messages = listen();
    await waitFor(() => messages.length > 0, { timeoutMs: 5000, what: 'the snapshot' });
    const slow = dataSource.createQueryRunner();
    await slow.startTransaction();

    // Act
    const lowerId = await addStep(orderId, 'PLACED', slow.manager);
    const higherId = await addStep(orderId, 'PAYMENT_AUTHORIZED');
    await waitFor(() => sentStepIds(messages).includes(higherId), {
      timeoutMs: 5000,
      what: 'the later step',
    });
    await slow.commitTransaction();
    await slow.release();
    await waitFor(() => sentStepIds(messages).includes(lowerId), { timeoutMs: 5000, what: 'the late step' });

    // Assert
    expect(lowerId).toBeLessThan(higherId);
    expect(sentStepIds(messages)).toEqual([higherId, lowerId]);
  });

  it('counts the outcomes', async () => {
    // Arrange
    await dataSource.query('TRUNCATE orders CASCADE');
    await addOrder('CONFIRMED');
    await addOrder('CONFIRMED');
    await addOrder('PENDING');
    await addOrder('CANCELLED', 'payment declined: INSUFFICIENT_FUNDS');
    await addOrder('CANCELLED', 'stock reservation failed: OUT_OF_STOCK MONITOR-27 (0/1)');
    await addOrder('CANCELLED', 'cancelled by the customer');

    // Act
    const summary = await new DashboardSummaryService(dataSource, STUCK).summary();

    // Assert
    expect(summary).toMatchObject({
      total: 6,
      confirmed: 2,
      pending: 1,
      cancelling: 0,
      cancelled: { total: 3, byCategory: { declined: 1, outOfStock: 1, byCustomer: 1 } },
      stuck: { count: 0, orders: [] },
    });
  });

  it('lists the orders not settled within the deadline, newest first, with their last step', async () => {
    // Arrange
    await dataSource.query('TRUNCATE orders CASCADE');
    const old = await addOrder('PENDING');
    const older = await addOrder('CANCELLING');
    const settled = await addOrder('CONFIRMED');
    await addOrder('PENDING'); // young: within the deadline
    await addStep(old, 'PLACED');
    await addStep(old, 'PAYMENT_AUTHORIZED');
    await addStep(older, 'CANCELLATION_REQUESTED');
    await dataSource.query(`UPDATE orders SET created_at = now() - interval '2 minutes' WHERE id = ANY($1)`, [
      [old, settled],
    ]);
    await dataSource.query(`UPDATE orders SET created_at = now() - interval '3 minutes' WHERE id = $1`, [
      older,
    ]);

    // Act
    const { stuck } = await new DashboardSummaryService(dataSource, STUCK).summary();

    // Assert
    expect(stuck).toEqual({
      count: 2,
      orders: [
        { orderId: old, lastStep: 'PAYMENT_AUTHORIZED', since: expect.any(String) },
        { orderId: older, lastStep: 'CANCELLATION_REQUESTED', since: expect.any(String) },
      ],
    });
  });

  it('lists the 100 newest stuck orders, as many as the page shows cards for, and counts them all', async () => {
    // Arrange
    await dataSource.query('TRUNCATE orders CASCADE');
    await dataSource.query(
      `INSERT INTO orders (id, customer_id, status, total_cents, currency, created_at)
       SELECT gen_random_uuid(), 'alice', 'PENDING', 100, 'EUR', now() - interval '2 minutes' - make_interval(secs => n)
         FROM generate_series(1, 120) AS n`,
    );
    await dataSource.query(`INSERT INTO order_timeline (order_id, step) SELECT id, 'PLACED' FROM orders`);
    const newest: { id: string }[] = await dataSource.query(
      'SELECT id FROM orders ORDER BY created_at DESC LIMIT 100',
    );

    // Act
    const { stuck } = await new DashboardSummaryService(dataSource, STUCK).summary();

    // Assert
    expect(stuck.count).toBe(120);
    expect(stuck.orders.map((order) => order.orderId)).toEqual(newest.map((row) => row.id));
  });
});
