import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { OrderCancelledV1, OrderConfirmedV1, createEvent } from '@saga/contracts';
import type { SagaEventContext } from '@saga/messaging';
import { createTestDatabase, type TestDatabase } from '@saga/test-kit';
import { createTestDataSource } from '@saga/testing';
import { loadMailConfig } from '../../config/mail-config';
import { NOTIFICATION_MIGRATIONS } from '../../migrations';
import { RecordNotificationService } from '../record-notification/record-notification.service';
import { OrderEventsHandler } from './order-events.handler';

interface Row {
  kind: string;
  event_id: string;
  recipient: string;
  subject: string;
  body: string;
  message_id: string;
  status: string;
  attempts: number;
}

describe('OrderEventsHandler (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const handler = new OrderEventsHandler(
    new RecordNotificationService(loadMailConfig({ MAIL_RECIPIENT_DOMAIN: 'customers.test' })),
  );

  beforeAll(async () => {
    database = await createTestDatabase('notification_handler');
    dataSource = await createTestDataSource(database.url, NOTIFICATION_MIGRATIONS);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  const rowsOf = (orderId: string) =>
    dataSource.query<Row[]>(
      `SELECT kind, event_id, recipient, subject, body, message_id, status, attempts
         FROM notifications WHERE order_id = $1 ORDER BY created_at`,
      [orderId],
    );

  it('records one PENDING e-mail for OrderConfirmed, even if the fact is published twice', async () => {
    // Arrange
    const orderId = randomUUID();
    const data = { orderId, customerId: 'alice', totalCents: 11800, currency: 'EUR' };
    const first = createEvent(OrderConfirmedV1, data, { source: 'test' });
    const republished = createEvent(OrderConfirmedV1, data, { source: 'test' });

    // Act
    for (const event of [first, republished]) {
      await dataSource.transaction((manager) =>
        handler.onOrderConfirmed(event, { manager } as SagaEventContext),
      );
    }

    // Assert
    const rows = await rowsOf(orderId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: 'ORDER_CONFIRMED',
      event_id: first.id,
      recipient: 'alice@customers.test',
      subject: `Your order ${orderId} is confirmed`,
      message_id: `<${orderId}.order_confirmed@saga-platform>`,
      status: 'PENDING',
      attempts: 0,
    });
    expect(rows[0].body).toContain('EUR 118.00');
  });

  it('records the cancelled e-mail with its reason, beside an earlier confirmation', async () => {
    // Arrange
    const orderId = randomUUID();
    const confirmed = createEvent(
      OrderConfirmedV1,
      { orderId, customerId: 'bob', totalCents: 990, currency: 'EUR' },
      { source: 'test' },
    );
    const cancelled = createEvent(
      OrderCancelledV1,
      { orderId, customerId: 'bob', reason: 'cancelled by the customer' },
      { source: 'test' },
    );

    // Act
    await dataSource.transaction((manager) =>
      handler.onOrderConfirmed(confirmed, { manager } as SagaEventContext),
    );
    await dataSource.transaction((manager) =>
      handler.onOrderCancelled(cancelled, { manager } as SagaEventContext),
    );

    // Assert
    const rows = await rowsOf(orderId);
    expect(rows.map((row) => row.kind)).toEqual(['ORDER_CONFIRMED', 'ORDER_CANCELLED']);
    expect(rows[1].message_id).toBe(`<${orderId}.order_cancelled@saga-platform>`);
    expect(rows[1].body).toContain('Reason: cancelled by the customer');
  });

  it('writes nothing when the handler transaction rolls back', async () => {
    // Arrange
    const orderId = randomUUID();
    const event = createEvent(
      OrderCancelledV1,
      { orderId, customerId: 'carol', reason: 'payment declined: INSUFFICIENT_FUNDS' },
      { source: 'test' },
    );

    // Act
    const run = dataSource.transaction(async (manager) => {
      await handler.onOrderCancelled(event, { manager } as SagaEventContext);
      throw new Error('a later step of the handler failed');
    });

    // Assert
    await expect(run).rejects.toThrow('a later step of the handler failed');
    await expect(rowsOf(orderId)).resolves.toEqual([]);
  });
});
