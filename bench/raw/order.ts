/**
 * Raw floor, order participant: `POST /orders` on node:http, the order's saga steps and the catalog
 * replica, with pg + kafkajs only (see raw-kit.ts). Same tables and statements as apps/order.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { PoolClient } from 'pg';
import {
  addToOutbox,
  consume,
  env,
  inTransaction,
  newEvent,
  pool,
  ready,
  startRelay,
  type RawEvent,
} from './raw-kit';

interface Body {
  customerId: string;
  items: { sku: string; quantity: number }[];
}

async function placeOrder(body: Body): Promise<string> {
  const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  const { rows: catalog } = await pool.query<{ sku: string; price_cents: string; currency: string }>(
    'SELECT sku, name, price_cents, currency, status FROM catalog_products WHERE sku = ANY($1)',
    [body.items.map((item) => item.sku)],
  );
  const prices = new Map(catalog.map((row) => [row.sku, row]));
  const items = body.items.map((item) => ({
    ...item,
    unitPriceCents: Number(prices.get(item.sku)!.price_cents),
  }));
  const totalCents = items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
  const currency = prices.get(body.items[0].sku)!.currency;
  const orderId = randomUUID();
  await inTransaction(async (client) => {
    await client.query(
      `INSERT INTO orders (id, customer_id, status, total_cents, currency, idempotency_key, request_hash)
       VALUES ($1, $2, 'PENDING', $3, $4, $5, $6) ON CONFLICT (customer_id, idempotency_key) DO NOTHING RETURNING id`,
      [orderId, body.customerId, totalCents, currency, null, requestHash],
    );
    await client.query(
      `INSERT INTO order_items (order_id, line_no, sku, quantity, unit_price_cents)
       SELECT $1, line_no, sku, quantity, unit_price_cents
         FROM unnest($2::text[], $3::int[], $4::bigint[]) WITH ORDINALITY AS l(sku, quantity, unit_price_cents, line_no)`,
      [orderId, items.map((i) => i.sku), items.map((i) => i.quantity), items.map((i) => i.unitPriceCents)],
    );
    await client.query(
      'INSERT INTO order_timeline (order_id, step, event_type, event_id) VALUES ($1, $2, $3, $4)',
      [orderId, 'PLACED', null, null],
    );
    const data = { orderId, customerId: body.customerId, items, totalCents, currency };
    await addToOutbox(client, newEvent('order.placed.v1', 'order.events', orderId, data));
  });
  return orderId;
}

/** Records a participant's report on the order, then confirms or cancels it (apps/order's decide). */
async function record(
  client: PoolClient,
  event: RawEvent,
  step: string,
  changes: { paymentStatus?: string; stockStatus?: string; reason?: string },
): Promise<void> {
  const orderId = event.data.orderId as string;
  const { rows } = await client.query<{
    id: string;
    customerId: string;
    status: string;
    totalCents: string;
    currency: string;
    reason: string | null;
    paymentStatus: string;
    stockStatus: string;
  }>(
    `SELECT id, customer_id AS "customerId", status, total_cents AS "totalCents", currency, reason,
       payment_status AS "paymentStatus", stock_status AS "stockStatus" FROM orders WHERE id = $1 FOR UPDATE`,
    [orderId],
  );
  const order = rows[0];
  const settled = (s: string) => s === 'FAILED' || s === 'REFUNDED';
  const paymentStatus = settled(order.paymentStatus)
    ? order.paymentStatus
    : (changes.paymentStatus ?? order.paymentStatus);
  const stockStatus =
    order.stockStatus === 'RELEASED' ? order.stockStatus : (changes.stockStatus ?? order.stockStatus);
  const reason = order.reason ?? changes.reason ?? null;
  await client.query(
    'INSERT INTO order_timeline (order_id, step, event_type, event_id) VALUES ($1, $2, $3, $4)',
    [orderId, step, event.type, event.id],
  );
  let status: string | undefined;
  if (order.status === 'PENDING' && settled(paymentStatus)) status = 'CANCELLED';
  else if (order.status === 'PENDING' && stockStatus === 'RESERVED' && paymentStatus === 'AUTHORIZED')
    status = 'CONFIRMED';
  await client.query(
    `UPDATE orders SET status = COALESCE($2, status), reason = COALESCE($3, reason),
       payment_status = COALESCE($4, payment_status), stock_status = COALESCE($5, stock_status), updated_at = now()
     WHERE id = $1`,
    [orderId, status, reason, paymentStatus, stockStatus],
  );
  if (!status) return;
  await client.query(
    'INSERT INTO order_timeline (order_id, step, event_type, event_id) VALUES ($1, $2, $3, $4)',
    [orderId, status, null, null],
  );
  const data =
    status === 'CONFIRMED'
      ? {
          orderId,
          customerId: order.customerId,
          totalCents: Number(order.totalCents),
          currency: order.currency,
        }
      : { orderId, customerId: order.customerId, reason: reason ?? 'cancelled' };
  await addToOutbox(
    client,
    newEvent(`order.${status.toLowerCase()}.v1`, 'order.events', orderId, data, event),
  );
}

async function main(): Promise<void> {
  await startRelay();
  await consume(
    {
      'payment.authorized.v1': (c, e) => record(c, e, 'PAYMENT_AUTHORIZED', { paymentStatus: 'AUTHORIZED' }),
      'payment.failed.v1': (c, e) =>
        record(c, e, 'PAYMENT_FAILED', {
          paymentStatus: 'FAILED',
          reason: `payment declined: ${String(e.data.reason)}`,
        }),
      'payment.refunded.v1': (c, e) =>
        record(c, e, 'PAYMENT_REFUNDED', { paymentStatus: 'REFUNDED', reason: String(e.data.reason) }),
      'inventory.stock-reserved.v1': (c, e) => record(c, e, 'STOCK_RESERVED', { stockStatus: 'RESERVED' }),
      'inventory.stock-reservation-failed.v1': (c, e) =>
        record(c, e, 'STOCK_RESERVATION_FAILED', { stockStatus: 'FAILED' }),
      'catalog.product-updated.v2': async (client, event, offset) => {
        const p = event.data;
        await client.query(
          `INSERT INTO catalog_products (sku, name, price_cents, currency, status, available, source_time, source_offset)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, price_cents = EXCLUDED.price_cents,
             currency = EXCLUDED.currency, status = EXCLUDED.status, available = EXCLUDED.available,
             source_time = EXCLUDED.source_time, source_offset = EXCLUDED.source_offset, updated_at = now()
           WHERE (catalog_products.source_time, catalog_products.source_offset) < (EXCLUDED.source_time, EXCLUDED.source_offset)`,
          [p.sku, p.name, p.priceCents, p.currency, p.status, p.available, event.time, offset],
        );
      },
    },
    ['payment.events', 'inventory.events', 'catalog.products'],
  );
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/orders') {
      res.writeHead(404).end();
      return;
    }
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      placeOrder(JSON.parse(text) as Body).then(
        (orderId) => {
          res.writeHead(202, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ orderId, status: 'PENDING' }));
        },
        (error: Error) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: error.message }));
        },
      );
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(Number(env('PORT')), '127.0.0.1', () => ready('order'));
}

void main();
