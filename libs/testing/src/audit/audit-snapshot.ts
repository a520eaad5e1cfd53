import { Client } from 'pg';
import type { ServiceName } from '@saga/contracts';

/** The rows of the four databases the invariants are about, read once. */
export interface AuditSnapshot {
  orders: {
    id: string;
    customer_id: string;
    status: string;
    total_cents: string;
    was_confirmed: boolean;
    cancel_requested: boolean;
  }[];
  orderItems: { order_id: string; sku: string; quantity: number }[];
  accounts: { customer_id: string; opening_balance_cents: string; balance_cents: string }[];
  entries: { customer_id: string; order_id: string; kind: 'CHARGE' | 'REFUND'; amount_cents: string }[];
  payments: { order_id: string; status: string; amount_cents: string }[];
  products: { sku: string; available: number; reserved: number; stocked: number }[];
  held: { order_id: string; sku: string; quantity: number }[];
  reservations: { order_id: string; status: string }[];
  notifications: { order_id: string; kind: string; status: string; message_id: string }[];
  /** Unpublished outbox rows per service. */
  outboxBacklog: Record<ServiceName, number>;
  /** Event ids in each service's inbox, by consumer group. */
  inbox: Record<ServiceName, Set<string>>;
}

/** Reads an {@link AuditSnapshot} from the four databases. */
export async function readSnapshot(
  databases: Record<ServiceName, string>,
  groupIds: Record<ServiceName, string>,
): Promise<AuditSnapshot> {
  const clients = {} as Record<ServiceName, Client>;
  try {
    for (const service of Object.keys(databases) as ServiceName[]) {
      clients[service] = new Client({ connectionString: databases[service] });
      await clients[service].connect();
    }
    const rows = async <T>(service: ServiceName, sql: string, params: unknown[] = []) =>
      (await clients[service].query(sql, params)).rows as T[];
    const outboxBacklog = {} as Record<ServiceName, number>;
    const inbox = {} as Record<ServiceName, Set<string>>;
    for (const service of Object.keys(databases) as ServiceName[]) {
      const [{ count }] = await rows<{ count: string }>(
        service,
        'SELECT count(*) FROM outbox WHERE published_at IS NULL',
      );
      outboxBacklog[service] = Number(count);
      const ids = await rows<{ event_id: string }>(
        service,
        'SELECT event_id FROM inbox WHERE consumer = $1',
        [groupIds[service]],
      );
      inbox[service] = new Set(ids.map((row) => row.event_id));
    }
    return {
      orders: await rows(
        'order',
        `SELECT id, customer_id, status, total_cents,
          EXISTS (SELECT 1 FROM order_timeline t WHERE t.order_id = o.id AND t.step = 'CONFIRMED') AS was_confirmed
        FROM orders o`,
      ),
      orderItems: await rows('order', 'SELECT order_id, sku, quantity FROM order_items'),
      accounts: await rows(
        'payment',
        'SELECT customer_id, opening_balance_cents, balance_cents FROM accounts',
      ),
      entries: await rows('payment', 'SELECT customer_id, order_id, kind, amount_cents FROM account_entries'),
      payments: await rows('payment', 'SELECT order_id, status, amount_cents FROM payments'),
      products: await rows('inventory', 'SELECT sku, available, reserved, stocked FROM products'),
      held: await rows(
        'inventory',
        `SELECT l.order_id, l.sku, l.quantity FROM reservation_lines l
           JOIN reservations r USING (order_id) WHERE r.status = 'RESERVED'`,
      ),
      reservations: await rows('inventory', 'SELECT order_id, status FROM reservations'),
      notifications: await rows(
        'notification',
        'SELECT order_id, kind, status, message_id FROM notifications',
      ),
      outboxBacklog,
      inbox,
    };
  } finally {
    await Promise.all(Object.values(clients).map((client) => client.end().catch(() => undefined)));
  }
}
