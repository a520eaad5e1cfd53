/**
 * Raw floor, notification participant: records the terminal e-mail of each order and sends it over SMTP
 * after commit (apps/notification's record + dispatcher), pg + kafkajs + nodemailer only.
 */
import { createTransport } from 'nodemailer';
import { consume, env, onNotify, pool, ready, type RawEvent } from './raw-kit';
import type { PoolClient } from 'pg';

const mailer = createTransport({
  host: '127.0.0.1',
  port: Number(env('SMTP_PORT')),
  secure: false,
  pool: true,
  maxConnections: 1,
});

function recordMail(kind: 'ORDER_CONFIRMED' | 'ORDER_CANCELLED') {
  return async (client: PoolClient, event: RawEvent) => {
    const { orderId, customerId } = event.data as { orderId: string; customerId: string };
    const subject =
      kind === 'ORDER_CONFIRMED'
        ? `Your order ${orderId} is confirmed`
        : `Your order ${orderId} is cancelled`;
    const { rowCount } = await client.query(
      `INSERT INTO notifications (order_id, kind, event_id, recipient, subject, body, message_id, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'PENDING') ON CONFLICT (order_id, kind) DO NOTHING`,
      [
        orderId,
        kind,
        event.id,
        `${customerId}@example.test`,
        subject,
        `Hello ${customerId},\n\n${subject}.\n`,
        `<${orderId}.${kind.toLowerCase()}@saga-platform>`,
      ],
    );
    if (rowCount === 1) await client.query("SELECT pg_notify('saga_mail', '')");
  };
}

/** Claims one PENDING mail at a time (a lease in the row), sends it, marks it SENT. */
function startDispatcher(): Promise<void> {
  return onNotify('saga_mail', async () => {
    const { rows } = await pool.query<{
      id: string;
      recipient: string;
      subject: string;
      body: string;
      message_id: string;
    }>(
      `UPDATE notifications SET claimed_until = clock_timestamp() + interval '60 seconds'
        WHERE id = (SELECT id FROM notifications WHERE status = 'PENDING' AND (claimed_until IS NULL OR claimed_until < clock_timestamp())
                     ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, recipient, subject, body, message_id`,
    );
    const mail = rows[0];
    if (!mail) return false;
    await mailer.sendMail({
      from: 'shop@example.test',
      to: mail.recipient,
      subject: mail.subject,
      text: mail.body,
      messageId: mail.message_id,
    });
    await pool.query(
      `UPDATE notifications SET status = 'SENT', sent_at = clock_timestamp(), attempts = attempts + 1, claimed_until = NULL WHERE id = $1`,
      [mail.id],
    );
    return true;
  });
}

async function main(): Promise<void> {
  await startDispatcher();
  await consume(
    {
      'order.confirmed.v1': recordMail('ORDER_CONFIRMED'),
      'order.cancelled.v1': recordMail('ORDER_CANCELLED'),
    },
    ['order.events'],
  );
  ready('notification');
}

void main();
