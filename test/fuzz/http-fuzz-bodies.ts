import fc from 'fast-check';
import {
  CUSTOMER_ID,
  IDEMPOTENCY_KEY,
  MAX_BODY_BYTES,
  SEEDED_SKUS,
  SKU,
  VALID_JSON,
  VALID_ORDER,
  couldBeAnOrder,
  fuzzRequest,
  hasOrderShape,
  nastyString,
  postOrder,
  unknownSku,
} from './http-fuzz-requests';

/*
 * The bad POST /orders of the HTTP fuzz: random JSON, near-valid orders with one thing wrong, bodies
 * that are not JSON or too large or of another content type, and malformed Idempotency-Keys.
 */

/** A value of the wrong JSON type for a string or number field. */
const wrongType = fc.oneof(
  fc.constantFrom(null, true, false, [], {}, [1], { value: 1 }),
  fc.jsonValue({ maxDepth: 2 }).filter((value) => typeof value === 'object'),
);

const invalidCustomerId = fc.oneof(
  nastyString.filter((id) => !CUSTOMER_ID.test(id)),
  wrongType,
  fc.integer(),
);
const invalidSku = fc.oneof(
  nastyString.filter((sku) => !SKU.test(sku)),
  wrongType,
  fc.integer(),
);
const invalidQuantity = fc.oneof(
  fc.constantFrom<unknown>(0, -1, 2 ** 31, 2 ** 31 - 1, 1e21, 1_000_001, 1.5, 1e-7, 'NaN', '1', '', null),
  fc.constantFrom<unknown>(Number.MAX_SAFE_INTEGER + 2, Number.MAX_VALUE, -Number.MAX_VALUE, true, [1]),
  fc.integer().filter((quantity) => quantity < 1 || quantity > 1_000_000),
  fc.double().filter((quantity) => !(Number.isInteger(quantity) && quantity >= 1 && quantity <= 1e6)),
  wrongType,
);
/** A field name other than the ones expected, prototype-polluting names included. */
const extraKey = (known: string[]) =>
  fc
    .oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'priceCents', 'totalCents', 'status', ''),
      fc.string({ unit: 'binary', maxLength: 30 }),
    )
    .filter((key) => !known.includes(key));
/** JSON text nested `depth` deep around `leaf`: `[[[…1…]]]`. */
const nested = (depth: number, leaf = '1') => `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
const order = (items: unknown, extra: Record<string, unknown> = {}) => ({
  customerId: 'rich',
  items,
  ...extra,
});
const line = (sku: unknown, quantity: unknown) => ({ sku, quantity });

/** Random JSON values of every shape as the order: none has exactly the keys of an order. */
export const randomJsonBodies = fc
  .jsonValue({ maxDepth: 4 })
  .filter((value) => !hasOrderShape(value))
  .map((value) => postOrder('random JSON', value));

/** A valid order with exactly one thing wrong: each is invalid by construction. */
export const nearValidOrders = fc.oneof(
  invalidCustomerId.map((customerId) => postOrder('bad customerId', { ...VALID_ORDER, customerId })),
  invalidQuantity.map((quantity) => postOrder('bad quantity', order([line('WIDGET', quantity)]))),
  invalidSku.map((sku) => postOrder('bad sku', order([line(sku, 1)]))),
  unknownSku.map((sku) => postOrder('unknown sku', order([line('WIDGET', 1), line(sku, 2)]))),
  fc
    .integer({ min: 51, max: 400 })
    .map((n) => postOrder('too many lines', order(Array.from({ length: n }, (_, i) => line(`SKU-${i}`, 1))))),
  fc
    .tuple(fc.constantFrom(...SEEDED_SKUS), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 2 }))
    .map(([sku, quantity, at]) => {
      const items = [line('GADGET', 1), line('RARE', 1)].filter((other) => other.sku !== sku);
      items.splice(at, 0, line(sku, quantity), line(sku, quantity + 1));
      return postOrder('duplicated sku', order(items));
    }),
  fc
    .tuple(extraKey(['customerId', 'items']), fc.jsonValue({ maxDepth: 2 }))
    .map(([key, value]) => postOrder('extra field', { ...VALID_ORDER, [key]: value })),
  fc
    .tuple(extraKey(['sku', 'quantity']), fc.jsonValue({ maxDepth: 2 }))
    .map(([key, value]) => postOrder('extra line field', order([{ ...line('WIDGET', 1), [key]: value }]))),
  fc
    .constantFrom<unknown>([], {}, 'WIDGET', 1, null, [null], [1], ['WIDGET'], [[]], {
      sku: 'WIDGET',
      quantity: 1,
    })
    .map((items) => postOrder('bad items', order(items))),
  fc
    .constantFrom<object>(
      { customerId: 'rich' },
      { items: VALID_ORDER.items },
      order([{ sku: 'WIDGET' }]),
      order([{ quantity: 1 }]),
    )
    .map((body) => postOrder('missing field', body)),
  fc
    .tuple(
      fc.integer({ min: 100, max: 30_000 }),
      fc.constantFrom(
        (deep: string) => `{"customerId":"rich","items":[{"sku":"WIDGET","quantity":${deep}}]}`,
        (deep: string) => `{"customerId":${deep},"items":[{"sku":"WIDGET","quantity":1}]}`,
        (deep: string) => `{"customerId":"rich","items":${deep}}`,
        (deep: string) => `{"customerId":"rich","items":[{"sku":"WIDGET","quantity":1}],"x":${deep}}`,
      ),
    )
    .map(([depth, place]) => postOrder('deep nesting', place(nested(depth)))),
);

/** Wrong content types: none of them is `application/json` (with UTF-8), so no body is read as an order (a 415). */
const wrongContentType = fc.oneof(
  fc.constantFrom(
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'application/jsonx',
    'application/json-patch+json',
    'text/json',
    'application/octet-stream',
    '*/*',
    '',
    'application/json; charset=latin1',
    'application/json; charset=koi8-r',
    'application/json; charset=nonsense',
  ),
  fc
    .string({ unit: 'grapheme-ascii', maxLength: 40 })
    .filter((type) => !/^\s*application\/json\b/i.test(type)),
);

/** Bodies that are not JSON (or not an order), oversized bodies, wrong content types and encodings. */
export const rawBodies = fc.oneof(
  fc
    .string({ unit: 'binary', maxLength: 200 })
    .filter((text) => !couldBeAnOrder(text))
    .map((t) => postOrder('raw text', t)),
  fc
    .uint8Array({ maxLength: 200 })
    .map((bytes) => Buffer.from(bytes))
    .filter((bytes) => !couldBeAnOrder(bytes.toString('utf8')))
    .map((bytes) => postOrder('raw bytes', bytes)),
  fc
    .integer({ min: 1, max: VALID_JSON.length - 1 })
    .map((n) => postOrder('truncated', VALID_JSON.slice(0, n))),
  fc
    .constantFrom(
      '{"customerId":"rich","items":[{"sku":"WIDGET","quantity":NaN}]}',
      '{"customerId":"rich","items":[{"sku":"WIDGET","quantity":Infinity}]}',
      "{'customerId':'rich','items':[{'sku':'WIDGET','quantity':1}]}",
      '{"customerId":"rich","items":[{"sku":"WIDGET","quantity":1},]}',
      '{"customerId":"rich",/* c */"items":[{"sku":"WIDGET","quantity":1}]}',
      '{"customerId":"rich","items":[{"sku":"WIDGET","quantity":0x1}]}',
      'null',
      '"rich"',
      '42',
      '',
    )
    .map((text) => postOrder('not JSON', text)),
  fc
    .tuple(fc.integer({ min: MAX_BODY_BYTES + 1, max: MAX_BODY_BYTES + 4096 }), fc.boolean())
    .map(([size, inString]) =>
      postOrder(
        'over the limit',
        inString
          ? JSON.stringify({ ...VALID_ORDER, note: 'x'.repeat(size - VALID_JSON.length - 10) })
          : VALID_JSON + ' '.repeat(size - VALID_JSON.length),
      ),
    ),
  wrongContentType.map((type) => postOrder('wrong content-type', VALID_JSON, { 'content-type': type })),
  fc.constant(
    fuzzRequest({
      label: 'no content-type',
      service: 'order',
      method: 'POST',
      path: '/orders',
      headers: {},
      body: Buffer.from(VALID_JSON),
    }),
  ),
  fc
    .constantFrom('gzip', 'deflate', 'br', 'compress', 'x-unknown', 'gzip, gzip')
    .map((encoding) => postOrder('bad content-encoding', VALID_JSON, { 'content-encoding': encoding })),
);

/** Header values that stay one header (no CR, LF), and the value a server reads: trimmed of spaces and tabs. */
const oneLine = (value: string) => !/[\r\n]/.test(value);
const trimmed = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, '');

/** Idempotency-Key values that are not 1 to 200 printable ASCII characters, on an otherwise valid order. */
export const badIdempotencyKeys = fc
  .oneof(
    fc.constantFrom(
      '',
      ' ',
      'has space',
      'a\tb',
      '\u0001',
      'key\u007f',
      'clé',
      '\u00ff\u00fe',
      '\u001b[31m',
      '\u0000',
      'a\u0000b',
    ),
    fc.integer({ min: 201, max: 6_000 }).map((length) => 'k'.repeat(length)),
    fc.string({ unit: 'binary-ascii', maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
  )
  .filter((key) => oneLine(key) && !IDEMPOTENCY_KEY.test(trimmed(key)))
  .map((key) => postOrder('bad Idempotency-Key', VALID_ORDER, { 'idempotency-key': key }));
