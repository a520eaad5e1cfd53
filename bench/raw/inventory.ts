/** Raw floor, inventory participant: reserves stock for paid orders (apps/inventory's reserve), pg + kafkajs only. */
import type { PoolClient } from 'pg';
import { addToOutbox, consume, newEvent, ready, startRelay, type RawEvent } from './raw-kit';

async function reserve(client: PoolClient, event: RawEvent): Promise<void> {
  const { orderId, items } = event.data as { orderId: string; items: { sku: string; quantity: number }[] };
  await client.query("SELECT pg_advisory_xact_lock(hashtext('inventory.order'), hashtext($1))", [orderId]);
  const existing = await client.query('SELECT status FROM reservations WHERE order_id = $1', [orderId]);
  if (existing.rows.length > 0) return;
  const lines = [...items].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  const skus = lines.map((line) => line.sku);
  const { rows: products } = await client.query<{ sku: string; available: number; status: string }>(
    'SELECT p.sku, p.available, p.status FROM products AS p WHERE p.sku = ANY($1::text[]) ORDER BY p.sku FOR UPDATE',
    [skus],
  );
  const stock = new Map(products.map((p) => [p.sku, p.status === 'ACTIVE' ? p.available : 0]));
  const short = lines
    .filter((line) => (stock.get(line.sku) ?? 0) < line.quantity)
    .map((line) => ({ sku: line.sku, requested: line.quantity, available: stock.get(line.sku) ?? 0 }));
  if (short.length > 0) {
    const reason = products.length < lines.length ? 'UNKNOWN_SKU' : 'OUT_OF_STOCK';
    await client.query('INSERT INTO reservations (order_id, status, failure_reason) VALUES ($1, $2, $3)', [
      orderId,
      'FAILED',
      reason,
    ]);
    const data = { orderId, reason, lines: short };
    await addToOutbox(
      client,
      newEvent('inventory.stock-reservation-failed.v1', 'inventory.events', orderId, data, event),
    );
    return;
  }
  const { rows: changed } = await client.query<{
    sku: string;
    name: string;
    priceCents: string;
    currency: string;
    status: string;
    available: number;
  }>(
    `UPDATE products AS p SET available = p.available - line.quantity, reserved = p.reserved + line.quantity, updated_at = now()
     FROM unnest($1::text[], $2::int[]) AS line (sku, quantity) WHERE p.sku = line.sku
     RETURNING p.sku, p.name, p.price_cents AS "priceCents", p.currency, p.status, p.available, p.reserved`,
    [skus, lines.map((line) => line.quantity)],
  );
  await client.query('INSERT INTO reservations (order_id, status, failure_reason) VALUES ($1, $2, $3)', [
    orderId,
    'RESERVED',
    null,
  ]);
  await client.query(
    `INSERT INTO reservation_lines (order_id, sku, quantity) SELECT $1, sku, quantity FROM unnest($2::text[], $3::int[]) AS line (sku, quantity)`,
    [orderId, skus, lines.map((line) => line.quantity)],
  );
  await addToOutbox(
    client,
    newEvent('inventory.stock-reserved.v1', 'inventory.events', orderId, { orderId, items: lines }, event),
    ...changed.map((p) =>
      newEvent(
        'catalog.product-updated.v2',
        'catalog.products',
        p.sku,
        {
          sku: p.sku,
          name: p.name,
          priceCents: Number(p.priceCents),
          currency: p.currency,
          available: p.available,
          status: p.status,
        },
        event,
      ),
    ),
  );
}

async function main(): Promise<void> {
  await startRelay();
  await consume({ 'payment.authorized.v1': reserve }, ['payment.events', 'order.events']);
  ready('inventory');
}

void main();
