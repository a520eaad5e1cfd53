import { getJson, h, money } from './dom.js';

const SERVICES = ['order', 'payment', 'inventory', 'notification'];

/** The order form: a customer and lines of (SKU from inventory's catalog, quantity). */
export class OrderForm {
  constructor({ form, lines, addLine, result, onPlaced }) {
    Object.assign(this, { form, lines, result, onPlaced });
    this.products = [];
    addLine.addEventListener('click', () => this.addLine());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.addLine();
  }

  /** The catalog from inventory's `GET /products`: the options of every line. */
  setProducts(products) {
    this.products = products;
    for (const select of this.lines.querySelectorAll('select')) this.fillOptions(select);
  }

  fillOptions(select) {
    const chosen = select.value;
    select.replaceChildren(
      ...this.products.map((product) =>
        h(
          'option',
          { value: product.sku },
          `${product.sku} · ${money(product.priceCents, product.currency)} · ${product.available} left`,
        ),
      ),
    );
    if (chosen) select.value = chosen;
  }

  addLine() {
    const select = h('select', { class: 'line-sku', name: 'sku', required: true, 'aria-label': 'product' });
    this.fillOptions(select);
    const line = h(
      'div',
      { class: 'line' },
      select,
      h('input', {
        class: 'line-qty',
        name: 'quantity',
        type: 'number',
        min: 1,
        max: 99,
        value: 1,
        required: true,
        'aria-label': 'quantity',
      }),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary remove',
          title: 'remove this line',
          onclick: () => this.removeLine(line),
        },
        '×',
      ),
    );
    this.lines.append(line);
  }

  removeLine(line) {
    if (this.lines.children.length > 1) line.remove();
  }

  async submit() {
    const customerId = this.form.elements.namedItem('customer').value.trim();
    const items = [...this.lines.querySelectorAll('.line')].map((line) => ({
      sku: line.querySelector('.line-sku').value,
      quantity: Number(line.querySelector('.line-qty').value),
    }));
    this.show('placing…');
    try {
      const placed = await getJson('/orders', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({ customerId, items }),
      });
      this.show(`Order ${placed.orderId.slice(0, 8)} placed: ${placed.status}`, placed.orderId);
      this.onPlaced(placed.orderId);
    } catch (error) {
      this.show(`Not placed: ${error.message}`, undefined, true);
    }
  }

  show(text, orderId, failed = false) {
    this.result.textContent = text;
    this.result.classList.toggle('error', failed);
    if (orderId) this.result.dataset.orderId = orderId;
    else delete this.result.dataset.orderId;
  }
}

/** Readiness, outbox backlog and dead letters of each service, from its `GET /health/ready`. */
export class ServicesTable {
  constructor(body, urls) {
    this.urls = urls;
    this.cells = {};
    for (const service of SERVICES) {
      const cell = (field) =>
        (this.cells[`${service}.${field}`] = h('td', { 'data-service': service, 'data-field': field }, '…'));
      body.append(
        h(
          'tr',
          {},
          h('th', {}, h('span', { class: `svc ${service}` }, service)),
          cell('ready'),
          cell('backlog'),
          cell('dlq'),
        ),
      );
    }
  }

  async refresh() {
    await Promise.all(SERVICES.map((service) => this.refreshOne(service)));
  }

  async refreshOne(service) {
    const set = (field, value, state) => {
      const cell = this.cells[`${service}.${field}`];
      cell.textContent = String(value);
      cell.dataset.state = state;
    };
    try {
      const response = await fetch(`${this.urls[service]}/health/ready`);
      const { details = {} } = await response.json();
      set('ready', response.ok ? 'ready' : 'not ready', response.ok ? 'ok' : 'bad');
      const backlog = details.outbox?.backlog;
      set('backlog', backlog ?? '?', backlog > 0 ? 'busy' : 'ok');
      const dlq = details.deadLetters?.count;
      set('dlq', dlq ?? '?', dlq > 0 ? 'bad' : 'ok');
    } catch {
      set('ready', 'unreachable', 'bad');
      set('backlog', '?', 'bad');
      set('dlq', '?', 'bad');
    }
  }
}

/** The latest e-mails notification recorded (`GET /notifications/recent`). */
export function renderMails(list, mails) {
  list.replaceChildren(
    ...mails.map((mail) => {
      const kind = mail.kind === 'ORDER_CONFIRMED' ? 'confirmed' : 'cancelled';
      return h(
        'li',
        { 'data-order-id': mail.orderId, 'data-status': mail.status, title: mail.subject },
        h('span', { class: `mail-kind ${kind}` }, kind),
        h('span', { class: 'mail-to', title: mail.recipient }, mail.recipient.split('@')[0]),
        h('code', { class: 'mail-order' }, mail.orderId.slice(0, 8)),
        h('span', { class: `mail-status ${mail.status.toLowerCase()}` }, mail.status),
      );
    }),
  );
  if (mails.length === 0) list.append(h('li', { class: 'empty' }, 'none yet'));
}

/** The outcome counters from `GET /dashboard/summary`. */
export function renderSummary(root, summary) {
  const values = {
    confirmed: summary.confirmed,
    pending: summary.pending,
    cancelling: summary.cancelling,
    ...summary.cancelled.byCategory,
    stuck: summary.stuck.count,
  };
  for (const [name, value] of Object.entries(values)) {
    const cell = root.querySelector(`[data-counter="${name}"]`);
    if (cell) cell.textContent = String(value);
  }
}
