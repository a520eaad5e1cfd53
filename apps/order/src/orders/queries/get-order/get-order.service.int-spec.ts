import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@saga/test-kit';
import { createTestDataSource } from '@saga/testing';
import { OrderInitialSchema1795300000000 } from '../../../migrations/1795300000000-order-initial-schema';
import { OrderStuckAt1795300000001 } from '../../../migrations/1795300000001-order-stuck-at';
import type { OrderStatus, TimelineStep } from '../../order-status';
import { GetOrderService } from './get-order.service';

/** A minute's deadline, as the service defaults to. */
const STUCK = { afterMs: 60_000, checkIntervalMs: 5_000 };

describe('GetOrderService: stuck (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('order_get_stuck');
    dataSource = await createTestDataSource(database.url, [
      OrderInitialSchema1795300000000,
      OrderStuckAt1795300000001,
    ]);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /** An order placed `ageS` seconds ago, with its timeline; returns its id and placement time. */
  async function addOrder(status: OrderStatus, ageS: number, steps: TimelineStep[]) {
    const orderId = randomUUID();
    const [{ created_at: placedAt }]: { created_at: Date }[] = await dataSource.query(
      `INSERT INTO orders (id, customer_id, status, total_cents, currency, created_at)
       VALUES ($1, 'alice', $2, 100, 'EUR', now() - make_interval(secs => $3)) RETURNING created_at`,
      [orderId, status, ageS],
    );
    for (const step of steps)
      await dataSource.query('INSERT INTO order_timeline (order_id, step) VALUES ($1, $2)', [orderId, step]);
    return { orderId, placedAt };
  }

  const getOrder = (orderId: string) =>
    new GetOrderService(dataSource, STUCK).get(orderId, { subject: 'ops', roles: ['admin'] });

  it('shows an unsettled order past the deadline as stuck: since the deadline passed, at its last step', async () => {
    // Arrange
    const pending = await addOrder('PENDING', 120, ['PLACED', 'PAYMENT_AUTHORIZED']);
    const cancelling = await addOrder('CANCELLING', 90, ['PLACED', 'CANCELLATION_REQUESTED']);

    // Act
    const views = await Promise.all([getOrder(pending.orderId), getOrder(cancelling.orderId)]);

    // Assert
    expect(views.map((view) => view.stuck)).toEqual([
      {
        since: new Date(pending.placedAt.getTime() + 60_000).toISOString(),
        lastStep: 'PAYMENT_AUTHORIZED',
        deadlineMs: 60_000,
      },
      {
        since: new Date(cancelling.placedAt.getTime() + 60_000).toISOString(),
        lastStep: 'CANCELLATION_REQUESTED',
        deadlineMs: 60_000,
      },
    ]);
  });

  it('leaves stuck out of a settled order, however old, and of an order within the deadline', async () => {
    // Arrange
    const confirmed = await addOrder('CONFIRMED', 300, ['PLACED', 'CONFIRMED']);
    const cancelled = await addOrder('CANCELLED', 300, ['PLACED', 'PAYMENT_FAILED', 'CANCELLED']);
    const young = await addOrder('PENDING', 5, ['PLACED']);

    // Act
    const views = await Promise.all([confirmed, cancelled, young].map(({ orderId }) => getOrder(orderId)));

    // Assert
    expect(views.map((view) => [view.status, 'stuck' in view])).toEqual([
      ['CONFIRMED', false],
      ['CANCELLED', false],
      ['PENDING', false],
    ]);
  });
});
