import { SagaHarness, type HttpAnswer } from '@saga/testing';
import { SEED, SERVICES } from './saga-fixtures';

const line = (sku: string, quantity: unknown) => ({ sku, quantity });
const order = (items: unknown[], extra: Record<string, unknown> = {}) => ({
  customerId: 'rich',
  items,
  ...extra,
});

/** Bad requests: each must be refused with a 4xx problem+json, and none may write or publish anything. */
describe('bad input (DESIGN.md: errors as problem+json, nothing changed)', () => {
  let saga: SagaHarness;

  beforeAll(async () => {
    saga = await SagaHarness.start('bad-input', SERVICES, SEED);
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  const expectProblem = (answer: HttpAnswer, status: number, detail?: RegExp) => {
    expect(answer.status).toBe(status);
    expect(answer.contentType).toContain('application/problem+json');
    expect(answer.body).toMatchObject({ status, title: expect.any(String) });
    if (detail) expect((answer.body as { detail: string }).detail).toMatch(detail);
  };

  it.each<[string, unknown, number, RegExp]>([
    ['malformed JSON', '{"customerId": "rich", "items": [', 400, /not valid JSON/],
    ['a JSON array', '[]', 400, /expected object/],
    ['no customerId', { items: [line('WIDGET', 1)] }, 400, /customerId/],
    ['an empty customerId', order([line('WIDGET', 1)], { customerId: '' }), 400, /customerId/],
    [
      'a customerId that is an address list',
      order([line('WIDGET', 1)], { customerId: 'me@evil.example,x' }),
      400,
      /customerId/,
    ],
    ['a customerId with a space', order([line('WIDGET', 1)], { customerId: 'bob smith' }), 400, /customerId/],
    ['no items', { customerId: 'rich' }, 400, /items/],
    ['no lines', order([]), 400, /items/],
    ['an extra field', order([line('WIDGET', 1)], { discount: 10 }), 400, /discount/],
    ['a client-side price', order([{ sku: 'WIDGET', quantity: 1, priceCents: 1 }]), 400, /priceCents/],
    ['a zero quantity', order([line('WIDGET', 0)]), 400, /items\.0\.quantity/],
    ['a negative quantity', order([line('WIDGET', -3)]), 400, /items\.0\.quantity/],
    ['a fractional quantity', order([line('WIDGET', 1.5)]), 400, /items\.0\.quantity/],
    ['a quantity as text', order([line('WIDGET', '2')]), 400, /items\.0\.quantity/],
    ['a huge quantity', order([line('WIDGET', 1e12)]), 400, /items\.0\.quantity/],
    ['more than 1000 of one SKU', order([line('WIDGET', 1001)]), 400, /items\.0\.quantity/],
    ['a malformed SKU', order([line('widget; DROP TABLE', 1)]), 400, /items\.0\.sku/],
    ['the same SKU twice', order([line('WIDGET', 1), line('WIDGET', 2)]), 400, /appears twice/],
    ['more than 50 lines', order(Array.from({ length: 51 }, (_, i) => line(`SKU-${i}`, 1))), 400, /items/],
    [
      'an unknown SKU',
      order([line('WIDGET', 1), line('NO-SUCH-THING', 1)]),
      422,
      /unknown SKU: NO-SUCH-THING/,
    ],
    [
      'a body over the size limit',
      JSON.stringify(order([line('WIDGET', 1)], { note: 'x'.repeat(70_000) })),
      413,
      /larger than/,
    ],
  ])('refuses an order with %s', async (_case, body, status, detail) => {
    // Act
    const answer = await saga.placeOrder(body as object);

    // Assert
    expectProblem(answer, status, detail);
  });

  it('refuses a malformed Idempotency-Key', async () => {
    expectProblem(
      await saga.placeOrder(order([line('WIDGET', 1)]), 'has spaces in it'),
      400,
      /Idempotency-Key/,
    );
  });

  it.each([
    ['text/plain', JSON.stringify(order([line('WIDGET', 1)]))],
    ['application/x-www-form-urlencoded', 'customerId=rich&items=WIDGET'],
  ])('refuses a %s body, even one that reads as an order, with a 415', async (type, body) => {
    // Act
    const answer = await saga.request('order', 'POST', '/orders', body, { 'content-type': type });

    // Assert
    expectProblem(answer, 415);
    expect(answer.body).toMatchObject({
      title: 'Unsupported Media Type',
      detail: `the body must be JSON (Content-Type: application/json), not "${type}"`,
    });
  });

  it.each<[string, () => Promise<HttpAnswer>, number]>([
    ['a cancel of an unknown order', () => saga.cancelOrder('7d1f0c8e-8f5a-4c7e-9b8a-2f1d3c4b5a69'), 404],
    ['a cancel of a malformed id', () => saga.cancelOrder('not-an-id'), 400],
    [
      'a cancel with an unknown field',
      () => saga.request('order', 'POST', '/orders/7d1f0c8e-8f5a-4c7e-9b8a-2f1d3c4b5a69/cancel', { why: 1 }),
      400,
    ],
    [
      'an unknown order',
      () => saga.request('order', 'GET', '/orders/7d1f0c8e-8f5a-4c7e-9b8a-2f1d3c4b5a69'),
      404,
    ],
    ['a malformed order id', () => saga.request('order', 'GET', '/orders/42'), 400],
    ['an unknown account', () => saga.request('payment', 'GET', '/accounts/nobody'), 404],
    ['an unknown product', () => saga.request('inventory', 'GET', '/products/NO-SUCH-THING'), 404],
    ['a malformed SKU', () => saga.request('inventory', 'GET', '/products/lower-case'), 400],
    ['notifications without an order id', () => saga.request('notification', 'GET', '/notifications'), 400],
    [
      'notifications of a malformed order id',
      () => saga.request('notification', 'GET', '/notifications?orderId=x'),
      400,
    ],
  ])('answers %s with a problem', async (_case, call, status) => {
    expectProblem(await call(), status);
  });

  it('wrote no order and published no event for any of them', async () => {
    // Act
    const effects = await saga.orderSideEffects();

    // Assert
    expect(effects).toEqual({ orders: 0, outboxRows: 0, orderEvents: 0 });
    await expect(saga.audit().then((report) => report.violations)).resolves.toEqual([]);
  });
});
