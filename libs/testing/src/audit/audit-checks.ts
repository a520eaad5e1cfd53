import type { AuditSnapshot } from './audit-snapshot';

/** One broken invariant, about one order, SKU, customer or record. */
export interface Violation {
  /** The invariant's number in docs/design.md (1–7). */
  readonly invariant: number;
  /** The order it is about, when it is about one. */
  readonly orderId?: string;
  /** What went wrong, in words. */
  readonly message: string;
  /**
   * Set when the violation is one SENT e-mail that reached the SMTP server more than once, every copy
   * with the same Message-ID: the window a dispatcher's crash between the server's `250` and recording
   * the send leaves open (docs/saga.md). Still a violation; a fault-injection run can tell it apart.
   */
  readonly redelivery?: { readonly messageId: string; readonly copies: number };
}

/** A captured e-mail, as far as the audit needs it (the SMTP sink's `CapturedMail` fits). */
export interface AuditedMail {
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A Message-ID without its angle brackets, as both the database and the SMTP record may hold it. */
const bare = (messageId: string) => messageId.trim().replace(/^<|>$/g, '');

const sum = (values: string[]) => values.reduce((total, value) => total + Number(value), 0);

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

/** Invariants 1–3: every order settled; confirmed ones charged and reserved once; cancelled ones net zero. */
export function checkOrders(snapshot: AuditSnapshot): Violation[] {
  const violations: Violation[] = [];
  const entries = groupBy(snapshot.entries, (entry) => entry.order_id);
  const held = groupBy(snapshot.held, (line) => line.order_id);
  const items = groupBy(snapshot.orderItems, (item) => item.order_id);
  for (const order of snapshot.orders) {
    const v = (invariant: number, message: string) =>
      violations.push({ invariant, orderId: order.id, message });
    const charges = (entries.get(order.id) ?? []).filter((entry) => entry.kind === 'CHARGE');
    const refunds = (entries.get(order.id) ?? []).filter((entry) => entry.kind === 'REFUND');
    const net = sum(charges.map((c) => c.amount_cents)) - sum(refunds.map((r) => r.amount_cents));
    const holding = held.get(order.id) ?? [];
    if (order.status === 'CONFIRMED') {
      if (charges.length !== 1 || refunds.length !== 0 || net !== Number(order.total_cents)) {
        v(
          2,
          `CONFIRMED but charged ${charges.length}× and refunded ${refunds.length}× (net ${net}, total ${order.total_cents})`,
        );
      }
      const wanted = (items.get(order.id) ?? [])
        .map((item) => `${item.sku}×${item.quantity}`)
        .sort()
        .join(',');
      const got = holding
        .map((line) => `${line.sku}×${line.quantity}`)
        .sort()
        .join(',');
      if (wanted !== got) v(2, `CONFIRMED but the stock held is [${got}], the order is [${wanted}]`);
    } else if (order.status === 'CANCELLED') {
      if (net !== 0) v(3, `CANCELLED but the net charge is ${net}`);
      if (holding.length > 0)
        v(3, `CANCELLED but stock is still held: ${holding.map((l) => `${l.sku}×${l.quantity}`).join(', ')}`);
    } else {
      v(1, `still ${order.status}: the saga has not settled`);
    }
  }
  return violations;
}

/** Invariant 4: per SKU, nothing negative, available + reserved = stocked, reserved = what reservations hold. */
export function checkStock(snapshot: AuditSnapshot): Violation[] {
  const held = groupBy(snapshot.held, (line) => line.sku);
  return snapshot.products.flatMap((product) => {
    const problems: string[] = [];
    if (product.available < 0 || product.reserved < 0) problems.push('a negative count');
    if (product.available + product.reserved !== product.stocked) {
      problems.push(
        `available ${product.available} + reserved ${product.reserved} ≠ stocked ${product.stocked}`,
      );
    }
    const holding = (held.get(product.sku) ?? []).reduce((total, line) => total + line.quantity, 0);
    if (holding !== product.reserved)
      problems.push(`reserved ${product.reserved} but reservations hold ${holding}`);
    return problems.map((problem) => ({ invariant: 4, message: `SKU ${product.sku}: ${problem}` }));
  });
}

/** Invariant 5: per customer, opening balance − Σ charges + Σ refunds = balance. */
export function checkMoney(snapshot: AuditSnapshot): Violation[] {
  const entries = groupBy(snapshot.entries, (entry) => entry.customer_id);
  return snapshot.accounts.flatMap((account) => {
    const own = entries.get(account.customer_id) ?? [];
    const expected =
      Number(account.opening_balance_cents) -
      sum(own.filter((e) => e.kind === 'CHARGE').map((e) => e.amount_cents)) +
      sum(own.filter((e) => e.kind === 'REFUND').map((e) => e.amount_cents));
    return expected === Number(account.balance_cents)
      ? []
      : [
          {
            invariant: 5,
            message: `customer ${account.customer_id}: balance ${account.balance_cents}, the ledger says ${expected}`,
          },
        ];
  });
}

/**
 * Invariant 6: one e-mail per order and terminal state it reached — a CANCELLED order has exactly one
 * "cancelled" mail (and a "confirmed" one only if it was confirmed before), a CONFIRMED order exactly
 * one "confirmed" mail — sent, and, when the SMTP record is given, received exactly once.
 */
export function checkMail(snapshot: AuditSnapshot, mails?: readonly AuditedMail[]): Violation[] {
  const violations: Violation[] = [];
  const sent = groupBy(snapshot.notifications, (n) => n.order_id);
  const received = mails && groupBy(mails, (mail) => bare(mail.messageId));
  for (const order of snapshot.orders.filter((o) => o.status === 'CONFIRMED' || o.status === 'CANCELLED')) {
    const v = (message: string) => violations.push({ invariant: 6, orderId: order.id, message });
    const own = sent.get(order.id) ?? [];
    const expected =
      order.status === 'CANCELLED' && order.was_confirmed
        ? ['ORDER_CONFIRMED', 'ORDER_CANCELLED']
        : [`ORDER_${order.status}`];
    const kinds = own.map((n) => n.kind).sort();
    if (kinds.join() !== expected.sort().join())
      v(`${order.status}: e-mails [${kinds.join(', ')}], expected [${expected.join(', ')}]`);
    for (const notification of own) {
      if (notification.status !== 'SENT')
        v(`the ${notification.kind} e-mail is ${notification.status}, not SENT`);
      const copies = received?.get(bare(notification.message_id))?.length ?? 0;
      if (received && notification.status === 'SENT' && copies !== 1) {
        violations.push({
          invariant: 6,
          orderId: order.id,
          message: `the ${notification.kind} e-mail (${notification.message_id}) reached the SMTP server ${copies}×`,
          ...(copies > 1 ? { redelivery: { messageId: notification.message_id, copies } } : {}),
        });
      }
    }
  }
  const known = new Set(snapshot.notifications.map((n) => bare(n.message_id)));
  for (const [messageId] of received ?? []) {
    if (!known.has(messageId))
      violations.push({ invariant: 6, message: `an e-mail nobody recorded: ${messageId}` });
  }
  return violations;
}

/**
 * Rows about orders the order service does not know: a charge, a reservation or an e-mail for an order
 * that was never placed means an event was forged, misrouted or replayed into the wrong platform.
 */
export function checkOrphans(snapshot: AuditSnapshot): Violation[] {
  const known = new Set(snapshot.orders.map((order) => order.id));
  const about = [
    ...snapshot.entries.map((row) => ({
      id: row.order_id,
      what: `a ${row.kind} of ${row.amount_cents}`,
      invariant: 5,
    })),
    ...snapshot.reservations.map((row) => ({
      id: row.order_id,
      what: `a ${row.status} reservation`,
      invariant: 4,
    })),
    ...snapshot.notifications.map((row) => ({
      id: row.order_id,
      what: `an ${row.kind} e-mail`,
      invariant: 6,
    })),
  ];
  return about
    .filter((row) => !known.has(row.id))
    .map((row) => ({
      invariant: row.invariant,
      orderId: row.id,
      message: `${row.what} for an order that does not exist`,
    }));
}

/**
 * The events the databases say were published, as `type|key`: every order was placed, every payment
 * and reservation answered, every product published. Matched against the log, they catch an event that
 * was lost between the outbox and Kafka (published rows are deleted, so the outbox cannot tell).
 */
export function expectedEvents(snapshot: AuditSnapshot): { key: string; type: string }[] {
  const expected: { key: string; type: string }[] = [];
  const add = (key: string, ...types: string[]) => types.forEach((type) => expected.push({ key, type }));
  for (const order of snapshot.orders) {
    add(order.id, 'order.placed.v1');
    if (order.was_confirmed) add(order.id, 'order.confirmed.v1');
    if (order.cancel_requested) add(order.id, 'order.cancellation-requested.v1');
    if (order.status === 'CANCELLED') add(order.id, 'order.cancelled.v1');
  }
  const payment: Record<string, string[]> = {
    AUTHORIZED: ['payment.authorized.v1'],
    REFUNDED: ['payment.authorized.v1', 'payment.refunded.v1'],
    FAILED: ['payment.failed.v1'],
  };
  for (const row of snapshot.payments) add(row.order_id, ...(payment[row.status] ?? []));
  const stock: Record<string, string[]> = {
    RESERVED: ['inventory.stock-reserved.v1'],
    FAILED: ['inventory.stock-reservation-failed.v1'],
    RELEASED: ['inventory.stock-released.v1'],
    CANCELLED: ['inventory.stock-released.v1'],
  };
  for (const row of snapshot.reservations) add(row.order_id, ...(stock[row.status] ?? []));
  for (const product of snapshot.products) add(product.sku, 'catalog.product-updated.v2');
  return expected;
}
