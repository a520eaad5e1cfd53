import { checkMail, checkMoney, checkOrders, checkOrphans, checkStock, expectedEvents } from './audit-checks';
import type { AuditSnapshot } from './audit-snapshot';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

/** Two settled orders — A confirmed (2 × PEN, 900), B cancelled after a refund — and nothing wrong. */
function healthy(): AuditSnapshot {
  return {
    orders: [
      {
        id: A,
        customer_id: 'c',
        status: 'CONFIRMED',
        total_cents: '900',
        was_confirmed: true,
        cancel_requested: false,
      },
      {
        id: B,
        customer_id: 'c',
        status: 'CANCELLED',
        total_cents: '450',
        was_confirmed: false,
        cancel_requested: true,
      },
    ],
    orderItems: [
      { order_id: A, sku: 'PEN', quantity: 2 },
      { order_id: B, sku: 'PEN', quantity: 1 },
    ],
    accounts: [{ customer_id: 'c', opening_balance_cents: '5000', balance_cents: '4100' }],
    entries: [
      { customer_id: 'c', order_id: A, kind: 'CHARGE', amount_cents: '900' },
      { customer_id: 'c', order_id: B, kind: 'CHARGE', amount_cents: '450' },
      { customer_id: 'c', order_id: B, kind: 'REFUND', amount_cents: '450' },
    ],
    payments: [
      { order_id: A, status: 'AUTHORIZED', amount_cents: '900' },
      { order_id: B, status: 'REFUNDED', amount_cents: '450' },
    ],
    products: [{ sku: 'PEN', available: 8, reserved: 2, stocked: 10 }],
    held: [{ order_id: A, sku: 'PEN', quantity: 2 }],
    reservations: [
      { order_id: A, status: 'RESERVED' },
      { order_id: B, status: 'CANCELLED' },
    ],
    notifications: [
      {
        order_id: A,
        kind: 'ORDER_CONFIRMED',
        status: 'SENT',
        message_id: `<${A}.order_confirmed@saga-platform>`,
      },
      {
        order_id: B,
        kind: 'ORDER_CANCELLED',
        status: 'SENT',
        message_id: `<${B}.order_cancelled@saga-platform>`,
      },
    ],
    outboxBacklog: { order: 0, payment: 0, inventory: 0, notification: 0 },
    inbox: { order: new Set(), payment: new Set(), inventory: new Set(), notification: new Set() },
  };
}

const all = (snapshot: AuditSnapshot, mails = mailsOf(snapshot)) => [
  ...checkOrders(snapshot),
  ...checkStock(snapshot),
  ...checkMoney(snapshot),
  ...checkMail(snapshot, mails),
  ...checkOrphans(snapshot),
];

function mailsOf(snapshot: AuditSnapshot) {
  return snapshot.notifications.map((n) => ({ messageId: n.message_id, headers: {} }));
}

describe('the audit checks', () => {
  it('find nothing wrong with a consistent platform', () => {
    expect(all(healthy())).toEqual([]);
  });

  it.each<[string, (s: AuditSnapshot) => void, number]>([
    ['an order still in flight', (s) => (s.orders[0].status = 'PENDING'), 1],
    ['a confirmed order charged twice', (s) => s.entries.push({ ...s.entries[0], amount_cents: '900' }), 2],
    ['a confirmed order without its stock', (s) => (s.held = []), 2],
    ['a cancelled order not refunded', (s) => s.entries.pop(), 3],
    [
      'a cancelled order still holding stock',
      (s) => s.held.push({ order_id: B, sku: 'PEN', quantity: 1 }),
      3,
    ],
    ['stock that does not add up', (s) => (s.products[0].available = 9), 4],
    ['a balance that disagrees with the ledger', (s) => (s.accounts[0].balance_cents = '4000'), 5],
    ['a missing e-mail', (s) => s.notifications.pop(), 6],
    ['an e-mail never sent', (s) => (s.notifications[0].status = 'PENDING'), 6],
    [
      'a charge for an order that does not exist',
      (s) => (s.entries[0].order_id = '00000000-0000-4000-8000-0000000000ff'),
      5,
    ],
  ])('report %s', (_case, breakIt, invariant) => {
    // Arrange
    const snapshot = healthy();
    const mails = mailsOf(snapshot);
    breakIt(snapshot);

    // Act
    const violations = all(snapshot, mails);

    // Assert
    expect(violations.map((v) => v.invariant)).toContain(invariant);
  });

  it('report an e-mail the SMTP server received twice, or never', () => {
    // Arrange
    const snapshot = healthy();
    const [confirmed] = mailsOf(snapshot);

    // Act
    const twice = checkMail(snapshot, [confirmed, confirmed]);

    // Assert
    expect(twice.map((v) => v.message)).toEqual([
      expect.stringContaining('reached the SMTP server 2×'),
      expect.stringContaining('reached the SMTP server 0×'),
    ]);
    // Only the copy is a re-delivery (same Message-ID); a mail that never arrived is not.
    expect(twice.map((v) => v.redelivery?.copies)).toEqual([2, undefined]);
  });

  it('expect every event the databases imply', () => {
    expect(
      expectedEvents(healthy()).map((e) => `${e.type} ${e.key === A ? 'A' : e.key === B ? 'B' : e.key}`),
    ).toEqual([
      'order.placed.v1 A',
      'order.confirmed.v1 A',
      'order.placed.v1 B',
      'order.cancellation-requested.v1 B',
      'order.cancelled.v1 B',
      'payment.authorized.v1 A',
      'payment.authorized.v1 B',
      'payment.refunded.v1 B',
      'inventory.stock-reserved.v1 A',
      'inventory.stock-released.v1 B',
      'catalog.product-updated.v2 PEN',
    ]);
  });
});
