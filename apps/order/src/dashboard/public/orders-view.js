import { clock, elapsed, groupBy, h, money } from './dom.js';

/** Which service each timeline step comes from: the saga read across the services. */
const SERVICE_OF_STEP = {
  PLACED: 'order',
  PAYMENT_AUTHORIZED: 'payment',
  PAYMENT_FAILED: 'payment',
  PAYMENT_REFUNDED: 'payment',
  STOCK_RESERVED: 'inventory',
  STOCK_RESERVATION_FAILED: 'inventory',
  STOCK_RELEASED: 'inventory',
  CONFIRMED: 'order',
  CANCELLATION_REQUESTED: 'order',
  CANCELLED: 'order',
};

/** Steps that went the wrong way for the customer, shown in red. */
const FAILURES = new Set(['PAYMENT_FAILED', 'STOCK_RESERVATION_FAILED', 'CANCELLED']);

/** How many orders the page keeps (the summary lists as many stuck orders: dashboard-summary.service.ts). */
const MAX_ORDERS = 100;

/**
 * The live list of orders: each card shows the order, its status and its saga as a timeline of steps
 * across the services, ending with the e-mail that notification sent.
 */
export class OrdersView {
  /** @param {{ list: HTMLElement, empty: HTMLElement, onCancel: (orderId: string) => void }} options */
  constructor({ list, empty, onCancel }) {
    this.list = list;
    this.empty = empty;
    this.onCancel = onCancel;
    /** orderId → { card, steps: Map<id, step>, element } */
    this.orders = new Map();
    /** orderId → e-mails (from notification) */
    this.mails = new Map();
    /** orderId → { lastStep, since }: orders not settled within the deadline (from the summary) */
    this.stuck = new Map();
  }

  /** The stuck orders from `GET /dashboard/summary`: their cards get a badge with the last step. */
  setStuck(stuck) {
    const next = new Map(stuck.map((order) => [order.orderId, order]));
    const changed = new Set([...this.stuck.keys(), ...next.keys()]);
    this.stuck = next;
    for (const orderId of changed) this.render(orderId);
  }

  /** Replaces everything with a snapshot (on each (re)connection). */
  snapshot(orders) {
    this.orders.clear();
    this.list.replaceChildren();
    for (const order of [...orders].reverse()) this.upsert(order, order.timeline);
  }

  /** New steps, with the current state of their orders. */
  steps(steps, cards) {
    const byOrder = groupBy(steps, (step) => step.orderId);
    for (const card of cards) this.upsert(card, byOrder.get(card.orderId) ?? []);
  }

  /** The latest e-mails; adds each to its order's timeline. */
  setMails(mails) {
    const changed = new Set();
    const next = groupBy(mails, (mail) => mail.orderId);
    for (const [orderId, list] of next) {
      const before = this.mails.get(orderId) ?? [];
      if (JSON.stringify(before) !== JSON.stringify(list)) changed.add(orderId);
      this.mails.set(orderId, list);
    }
    for (const orderId of changed) this.render(orderId);
  }

  upsert(card, steps) {
    const known = this.orders.get(card.orderId);
    const entry = known ?? { card, steps: new Map(), element: h('li', { class: 'order-card' }) };
    entry.card = card;
    for (const step of steps) entry.steps.set(step.id, step);
    if (!known) {
      this.orders.set(card.orderId, entry);
      this.list.prepend(entry.element);
      this.trim();
    }
    this.render(card.orderId);
  }

  trim() {
    const newestFirst = [...this.orders.values()].sort((a, b) =>
      b.card.createdAt.localeCompare(a.card.createdAt),
    );
    for (const old of newestFirst.slice(MAX_ORDERS)) {
      old.element.remove();
      this.orders.delete(old.card.orderId);
    }
    this.empty.hidden = this.orders.size > 0;
  }

  render(orderId) {
    const entry = this.orders.get(orderId);
    if (!entry) return;
    const { card } = entry;
    const steps = [...entry.steps.values()].sort((a, b) => a.id - b.id);
    const placedAt = steps[0]?.at ?? card.createdAt;
    const cancellable = card.status === 'PENDING' || card.status === 'CONFIRMED';
    entry.element.dataset.orderId = card.orderId;
    entry.element.dataset.status = card.status;
    // The feed's status may be newer than the summary's list: a settled order is never stuck.
    const stuck = (card.status === 'PENDING' || card.status === 'CANCELLING') && this.stuck.get(card.orderId);
    entry.element.dataset.stuck = String(Boolean(stuck));
    entry.element.replaceChildren(
      h(
        'div',
        { class: 'order-head' },
        h('span', { class: `status-badge ${card.status.toLowerCase()}` }, card.status),
        stuck &&
          h(
            'span',
            { class: 'stuck-badge', title: `not settled since ${clock(stuck.since)}` },
            `STUCK at ${stuck.lastStep}`,
          ),
        h('code', { class: 'order-id', title: card.orderId }, card.orderId.slice(0, 8)),
        h('b', { class: 'customer' }, card.customerId),
        h('span', { class: 'items' }, card.items.map((item) => `${item.sku} × ${item.quantity}`).join(', ')),
        h('span', { class: 'total' }, money(card.totalCents, card.currency)),
        card.reason && h('span', { class: 'reason', title: 'reason' }, card.reason),
        cancellable &&
          h(
            'button',
            { class: 'cancel secondary', type: 'button', onclick: () => this.onCancel(card.orderId) },
            'Cancel',
          ),
      ),
      h(
        'ol',
        { class: 'timeline' },
        steps.map((step) =>
          this.stepChip(
            SERVICE_OF_STEP[step.step] ?? 'order',
            step.step,
            step.at,
            placedAt,
            FAILURES.has(step.step),
          ),
        ),
        [...(this.mails.get(card.orderId) ?? [])]
          .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
          .map((mail) =>
            this.stepChip(
              'notification',
              `E-MAIL ${mail.kind === 'ORDER_CONFIRMED' ? 'confirmed' : 'cancelled'}${mail.status === 'SENT' ? '' : ` (${mail.status})`}`,
              mail.sentAt ?? mail.createdAt,
              placedAt,
              mail.status === 'FAILED',
              'EMAIL',
            ),
          ),
      ),
    );
  }

  stepChip(service, label, at, placedAt, failed, step = label) {
    return h(
      'li',
      {
        class: `step ${service}${failed ? ' failed' : ''}`,
        'data-step': step,
        title: `${service} · ${clock(at)}`,
      },
      h('span', { class: 'svc-name' }, service),
      h('span', { class: 'step-name' }, label.replaceAll('_', ' ')),
      h('time', { datetime: at }, label === 'PLACED' ? clock(at) : elapsed(placedAt, at)),
    );
  }
}
