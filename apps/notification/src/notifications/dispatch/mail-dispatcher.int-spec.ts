import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { OrderCancelledV1, OrderConfirmedV1, createEvent } from '@saga/contracts';
import { waitFor } from '@saga/common';
import {
  createTestDatabase,
  freePort,
  startSmtpSink,
  type SmtpSink,
  type TestDatabase,
} from '@saga/test-kit';
import { createTestDataSource } from '@saga/testing';
import { loadMailConfig } from '../../config/mail-config';
import { NOTIFICATION_MIGRATIONS } from '../../migrations';
import { orderCancelledTemplate } from '../../templates/order-cancelled.template';
import { orderConfirmedTemplate } from '../../templates/order-confirmed.template';
import { RecordNotificationService } from '../record-notification/record-notification.service';
import { MailDispatcher } from './mail-dispatcher';
import type { MailDispatcherOptions } from './mail-dispatcher.options';

interface Row {
  order_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
}

const quiet = { log: () => undefined, warn: () => undefined };

describe('MailDispatcher (real PostgreSQL, real SMTP sink)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let sink: SmtpSink | undefined;
  const dispatchers: MailDispatcher[] = [];
  const mailEnv = { MAIL_RECIPIENT_DOMAIN: 'customers.test', MAIL_FROM: 'shop <orders@shop.test>' };
  const recorder = new RecordNotificationService(loadMailConfig(mailEnv));

  beforeAll(async () => {
    database = await createTestDatabase('notification_dispatch');
    dataSource = await createTestDataSource(database.url, NOTIFICATION_MIGRATIONS);
  });

  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.stop()));
    await sink?.close();
    sink = undefined;
    await dataSource.query('TRUNCATE notifications');
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  async function startDispatcher(port: number, options: Partial<MailDispatcherOptions> = {}) {
    const dispatcher = new MailDispatcher({
      databaseUrl: database.url,
      mail: loadMailConfig({ ...mailEnv, SMTP_PORT: String(port) }),
      logger: quiet,
      ...options,
    });
    dispatchers.push(dispatcher);
    await dispatcher.start();
    return dispatcher;
  }

  function confirmOrder(orderId = randomUUID(), customerId = 'alice') {
    const event = createEvent(
      OrderConfirmedV1,
      { orderId, customerId, totalCents: 11800, currency: 'EUR' },
      { source: 'test' },
    );
    return dataSource.transaction(async (manager) => {
      await recorder.record(manager, event, 'ORDER_CONFIRMED', orderConfirmedTemplate(event.data));
      return orderId;
    });
  }

  const rows = () => dataSource.query<Row[]>('SELECT * FROM notifications ORDER BY created_at');
  const allSent = (count: number) => async () => {
    const current = await rows();
    return current.length === count && current.every((row) => row.status === 'SENT') && current;
  };

  it('sends each committed notification at once (NOTIFY, no poll) and marks it SENT', async () => {
    // Arrange
    sink = await startSmtpSink();
    const dispatcher = await startDispatcher(sink.port, { pollIntervalMs: 600_000 });
    const cancelled = createEvent(
      OrderCancelledV1,
      { orderId: randomUUID(), customerId: 'bob', reason: 'payment declined: INSUFFICIENT_FUNDS' },
      { source: 'test' },
    );

    // Act
    const confirmedId = await confirmOrder();
    await dataSource.transaction((manager) =>
      recorder.record(manager, cancelled, 'ORDER_CANCELLED', orderCancelledTemplate(cancelled.data)),
    );

    // Assert
    const sent = await waitFor(allSent(2), { timeoutMs: 10_000, what: 'both notifications SENT' });
    expect(sent.every((row) => row.attempts === 1 && row.sent_at !== null)).toBe(true);
    expect(sink.mails).toHaveLength(2);
    const confirmed = sink.mails.find((mail) => mail.headers['x-saga-order-id'] === confirmedId)!;
    expect(confirmed).toMatchObject({
      messageId: `<${confirmedId}.order_confirmed@saga-platform>`,
      to: ['alice@customers.test'],
      subject: `Your order ${confirmedId} is confirmed`,
    });
    expect(confirmed.headers['x-saga-notification-kind']).toBe('ORDER_CONFIRMED');
    expect(confirmed.headers.from).toBe('shop <orders@shop.test>');
    expect(confirmed.text).toContain('EUR 118.00');
    const cancelledMail = sink.mails.find(
      (mail) => mail.headers['x-saga-order-id'] === cancelled.data.orderId,
    )!;
    expect(cancelledMail.headers['x-saga-notification-kind']).toBe('ORDER_CANCELLED');
    expect(cancelledMail.text).toContain('Reason: payment declined: INSUFFICIENT_FUNDS');
    expect(dispatcher.status()).toMatchObject({ sent: 2, failed: 0 });
  });

  it('records a mail SENT on a new connection when its own was cut during the send: no second copy', async () => {
    // Arrange: the database connection of the dispatcher dies while the SMTP server holds the mail
    let cut = 0;
    sink = await startSmtpSink({
      onMail: async () => {
        const [{ count }] = await dataSource.query<{ count: string }[]>(
          `SELECT count(pg_terminate_backend(pid)) AS count FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE '%mail-dispatcher'`,
        );
        cut += Number(count);
      },
    });
    const dispatcher = await startDispatcher(sink.port, { retryDelayMs: 50 });

    // Act
    const orderId = await confirmOrder();

    // Assert
    const [row] = await waitFor(allSent(1), { timeoutMs: 10_000, what: 'the notification SENT' });
    expect(cut).toBe(1);
    expect(row).toMatchObject({ order_id: orderId, attempts: 1 });
    expect(sink.mails).toHaveLength(1);
    expect(dispatcher.status()).toMatchObject({ sent: 1, failed: 0 });
  });

  it('keeps the row PENDING with attempts and last_error while SMTP is down, then sends it once', async () => {
    // Arrange
    const port = await freePort();
    const dispatcher = await startDispatcher(port, { pollIntervalMs: 100, maxBackoffMs: 400 });
    const orderId = await confirmOrder();

    // Act
    const failing = await waitFor(
      async () => {
        const [row] = await rows();
        return row.attempts >= 2 && row;
      },
      { timeoutMs: 10_000, what: 'two failed attempts' },
    );
    sink = await startSmtpSink({ port });
    await waitFor(allSent(1), { timeoutMs: 10_000, what: 'the notification SENT' });

    // Assert
    expect(failing).toMatchObject({ status: 'PENDING', sent_at: null });
    expect(failing.last_error).toMatch(/ECONNREFUSED/);
    expect(dispatcher.status().failed).toBeGreaterThanOrEqual(2);
    expect(dispatcher.status().lastError).toMatch(/^smtp: /);
    expect(sink.mails.map((mail) => mail.messageId)).toEqual([`<${orderId}.order_confirmed@saga-platform>`]);
  });

  it('marks a mail the server refuses for good (5xx) FAILED and does not retry it', async () => {
    // Arrange
    const port = await freePort();
    sink = await startSmtpSink({ port, rejectRecipient: (address) => address.startsWith('nobody@') });
    const dispatcher = await startDispatcher(port, { pollIntervalMs: 100, maxBackoffMs: 100 });

    // Act
    await confirmOrder(randomUUID(), 'nobody');
    const delivered = await confirmOrder(randomUUID(), 'alice');
    await waitFor(async () => (await rows()).every((row) => row.status !== 'PENDING'), {
      timeoutMs: 10_000,
      what: 'both notifications handled',
    });

    // Assert
    const byOrder = Object.fromEntries((await rows()).map((row) => [row.order_id, row]));
    expect(byOrder[delivered]).toMatchObject({ status: 'SENT', attempts: 1 });
    const refused = (await rows()).find((row) => row.order_id !== delivered)!;
    expect(refused).toMatchObject({ status: 'FAILED', attempts: 1, sent_at: null });
    expect(refused.last_error).toMatch(/550/);
    expect(dispatcher.status().failed).toBe(1);
    expect(sink.mails).toHaveLength(1);
  });

  it('shares the work between instances (SKIP LOCKED): every mail goes out exactly once', async () => {
    // Arrange
    sink = await startSmtpSink();
    const first = await startDispatcher(sink.port);
    const second = await startDispatcher(sink.port);

    // Act
    for (let i = 0; i < 45; i++) await confirmOrder(randomUUID(), `customer-${i}`);
    await waitFor(allSent(45), { timeoutMs: 20_000, what: '45 notifications SENT' });

    // Assert
    const ids = sink.mails.map((mail) => mail.messageId);
    expect(ids).toHaveLength(45);
    expect(new Set(ids).size).toBe(45);
    expect(first.status().sent + second.status().sent).toBe(45);
  });
});
