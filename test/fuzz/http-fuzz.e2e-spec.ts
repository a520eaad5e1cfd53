import { connect } from 'node:net';
import fc from 'fast-check';
import { SERVICE_NAMES, type ServiceName } from '@saga/contracts';
import { SagaHarness } from '@saga/testing';
import { SEED, SERVICES } from '../saga/saga-fixtures';

/** Replays a run: fast-check prints the seed (and the shrink path) with every counterexample. */
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_260_101);
const SEEDED_SKUS = SEED.products.map((product) => product.sku);
const SEEDED_CUSTOMERS = SEED.accounts.map((account) => account.customerId);
const VALID_ORDER = { customerId: 'rich', items: [{ sku: 'WIDGET', quantity: 1 }] };
const VALID_JSON = JSON.stringify(VALID_ORDER);
/** `MAX_BODY_BYTES` of @saga/platform, written out: the test states the contract, not the code's constant. */
const MAX_BODY_BYTES = 64 * 1024;
const SKU = /^[A-Z0-9][A-Z0-9-]{0,63}$/;
const CUSTOMER_ID = /^[A-Za-z0-9._-]{1,64}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What no answer may contain: a stack frame, a source path, or the database's own words. */
const LEAKS = [
  /\n\s+at \S/,
  /\.[jt]s:\d+/,
  /node_modules/,
  /QueryFailedError|syntax error at or near|relation "|violates .* constraint|duplicate key value/,
  /invalid byte sequence|\bSELECT\b[\s\S]*\bFROM\b|\bINSERT INTO\b/,
];

/** The kinds of bad request the fuzz sends: each must be sent at least once in a run. */
const LABELS = [
  'random JSON',
  'bad customerId',
  'bad quantity',
  'bad sku',
  'unknown sku',
  'too many lines',
  'duplicated sku',
  'extra field',
  'extra line field',
  'bad items',
  'missing field',
  'deep nesting',
  'raw text',
  'raw bytes',
  'truncated',
  'not JSON',
  'over the limit',
  'wrong content-type',
  'no content-type',
  'bad content-encoding',
  'bad Idempotency-Key',
  'order id',
  'cancel',
  'account',
  'product',
  'notifications',
  'notifications query',
] as const;

/** One HTTP request of the fuzz: all of it is data, so fast-check can print and shrink it. */
interface FuzzRequest {
  readonly label: (typeof LABELS)[number];
  readonly service: ServiceName;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/** `text`, cut to `max` characters with its length said (a 70 KB body must not flood a report). */
const cut = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

/** Builds a request that fast-check prints as one short line. */
function fuzzRequest(request: FuzzRequest): FuzzRequest {
  const body = JSON.stringify(cut(request.body?.toString('utf8') ?? '', 160));
  return Object.assign(request, {
    [fc.toStringMethod]: () =>
      `${request.label}: ${request.method} ${cut(request.path, 200)} ${cut(JSON.stringify(request.headers), 300)} ${body}`,
  });
}

/** A POST /orders with `body` (raw bytes as given, or JSON) and `headers` (no content-type unless set). */
const postOrder = (label: FuzzRequest['label'], body: unknown, headers: Record<string, string> = {}) =>
  fuzzRequest({
    label,
    service: 'order',
    method: 'POST',
    path: '/orders',
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  });

/** Whether a parsed body has the keys of an order (exactly `customerId` and `items`): it might be valid. */
function hasOrderShape(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.keys(value).sort().join(',') === 'customerId,items';
}

/** Whether raw text, parsed as JSON, could be an order (see {@link hasOrderShape}). */
function couldBeAnOrder(text: string): boolean {
  try {
    return hasOrderShape(JSON.parse(text.replace(/^\uFEFF/, '')));
  } catch {
    return false;
  }
}

/** Every byte percent-encoded: a path segment or query value exactly as generated, lone surrogates and all. */
const percentEncode = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

/** Strings of every kind: any code point, lone surrogates, NUL, direction marks, and long ones. */
const nastyString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\u202eREDRO',
    '\u200f\u200b',
    '\ufeff',
    'e\u0301',
    '🧨',
    "' OR 1=1 --",
    '../../etc/passwd',
    '%00',
    '\r\n',
    '<script>',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom('\ud800', '\udc00', '\u0000', '\u202e', 'A', '-', ' '), maxLength: 20 }),
  fc.integer({ min: 65, max: 20_000 }).map((length) => 'A'.repeat(length)),
);

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
/** A SKU of the right form that the catalog does not have: 422, not 400. */
const unknownSku = fc.stringMatching(SKU).filter((sku) => !SEEDED_SKUS.includes(sku));
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
const randomJsonBodies = fc
  .jsonValue({ maxDepth: 4 })
  .filter((value) => !hasOrderShape(value))
  .map((value) => postOrder('random JSON', value));

/** A valid order with exactly one thing wrong: each is invalid by construction. */
const nearValidOrders = fc.oneof(
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
const rawBodies = fc.oneof(
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
const badIdempotencyKeys = fc
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

/** Path segments that are no order id: anything but a UUID and the empty one (another route). */
const segment = fc
  .oneof(
    nastyString,
    fc.uuid().map((uuid) => uuid.replace(/.$/, 'z')),
  )
  .filter((text) => text.length > 0 && !UUID.test(text))
  .map(percentEncode);
/** Percent-encodings that do not decode: a bare `%`, bad hex, truncated UTF-8, a UTF-8 lone surrogate. */
const badEscapes = fc.constantFrom('%', '%zz', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%FF', 'a%', '%%');

const get = (label: FuzzRequest['label'], service: ServiceName, path: string) =>
  fuzzRequest({ label, service, method: 'GET', path, headers: {} });

/** GET and POST on the id routes of every service, with ids that do not exist or cannot exist. */
const badPaths = fc.oneof(
  fc.oneof(segment, badEscapes, fc.uuid()).map((id) => get('order id', 'order', `/orders/${id}`)),
  fc
    .tuple(fc.oneof(segment, badEscapes, fc.uuid()), fc.option(fc.jsonValue({ maxDepth: 2 })))
    .map(([id, body]) =>
      fuzzRequest({
        label: 'cancel',
        service: 'order',
        method: 'POST',
        path: `/orders/${id}/cancel`,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(body ?? {})),
      }),
    ),
  fc
    .oneof(
      nastyString.filter((id) => id.length > 0 && !SEEDED_CUSTOMERS.includes(id)).map(percentEncode),
      badEscapes,
    )
    .map((id) => get('account', 'payment', `/accounts/${id}`)),
  fc
    .oneof(
      nastyString.filter((sku) => sku.length > 0 && !SEEDED_SKUS.includes(sku)).map(percentEncode),
      unknownSku,
      badEscapes,
    )
    .map((sku) => get('product', 'inventory', `/products/${sku}`)),
  fc
    .oneof(segment, badEscapes)
    .map((id) => get('notifications', 'notification', `/notifications?orderId=${id}`)),
  fc
    .constantFrom('', '?orderId=', '?orderid=x', '?orderId[]=x', '?orderId[a]=b', '?orderId=a&orderId=b')
    .map((query) => get('notifications query', 'notification', `/notifications${query}`)),
);

/** An answer as the fuzz looks at it. */
interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

/**
 * Sends a request over a connection of its own, its bytes exactly as given: fetch and node:http refuse
 * to send control characters in a header, and a client that reuses connections could pin one request's
 * early answer (a 413 before the body is read) on the next. A request with no answer in 5 s is a hang.
 */
function send(saga: SagaHarness, request: FuzzRequest): Promise<Answer> {
  const { hostname, port, host } = new URL(saga.platform.url(request.service));
  const head = [
    `${request.method} ${request.path} HTTP/1.1`,
    `host: ${host}`,
    'connection: close',
    ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
    ...(request.body ? [`content-length: ${request.body.length}`] : []),
  ];
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname);
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s (a hang)')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // An answer before the whole body was sent (413) may reset the connection: the answer still counts.
    socket.on('error', (error) => (chunks.length > 0 ? undefined : reject(error)));
    socket.on('close', () => resolve(parseAnswer(Buffer.concat(chunks))));
    socket.write(
      Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), request.body ?? Buffer.alloc(0)]),
    );
  });
}

/** Reads a raw HTTP/1.1 response: status line, headers, and a body sized or chunked. */
function parseAnswer(raw: Buffer): Answer {
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = raw
    .subarray(0, split < 0 ? raw.length : split)
    .toString('latin1')
    .split('\r\n');
  const headers = new Map(
    lines.map((headerLine) => {
      const colon = headerLine.indexOf(':');
      return [headerLine.slice(0, colon).trim().toLowerCase(), headerLine.slice(colon + 1).trim()] as const;
    }),
  );
  let body = split < 0 ? Buffer.alloc(0) : raw.subarray(split + 4);
  if (headers.get('transfer-encoding') === 'chunked') {
    const parts: Buffer[] = [];
    for (let at = 0; ;) {
      const end = body.indexOf('\r\n', at);
      const size = parseInt(body.subarray(at, end).toString('latin1'), 16);
      if (!(size > 0)) break;
      parts.push(body.subarray(end + 2, end + 2 + size));
      at = end + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  }
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0),
    contentType: headers.get('content-type') ?? '',
    text: body.toString('utf8'),
  };
}

/** Parses a problem body, or undefined if it is not JSON. */
function parse(text: string): { status?: unknown; title?: unknown } | undefined {
  try {
    return JSON.parse(text) as { status?: unknown; title?: unknown };
  } catch {
    return undefined;
  }
}

/** Asserts the answer is a 4xx problem+json whose body names the status and a title, and leaks nothing. */
function expectRefused(answer: Answer): void {
  const body = parse(answer.text);
  expect({
    status: answer.status >= 400 && answer.status < 500 ? '4xx' : answer.status,
    contentType: answer.contentType.split(';')[0].trim(),
    problemStatus: body?.status,
    titled: typeof body?.title === 'string' && body.title.length > 0,
    leaks: LEAKS.filter((leak) => leak.test(answer.text)).map(String),
  }).toEqual({
    status: '4xx',
    contentType: 'application/problem+json',
    problemStatus: answer.status,
    titled: true,
    leaks: [],
  });
}

/**
 * Seeded fuzz of the public HTTP API: random and boundary requests, every one invalid by construction,
 * must each be refused with a 4xx problem+json — never a 5xx, a hang or a leak — and none may write or
 * publish anything. `FUZZ_SEED=<n>` replays a run.
 */
describe('HTTP API fuzz (DESIGN.md: errors as problem+json, nothing changed)', () => {
  let saga: SagaHarness;
  const sent: Partial<Record<FuzzRequest['label'], number>> = {};

  beforeAll(async () => {
    saga = await SagaHarness.start('http-fuzz', SERVICES, SEED);
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  /** The kinds of bad request refused with one status only: a body that is not JSON is a 415. */
  const EXACTLY: Partial<Record<FuzzRequest['label'], number>> = {
    'wrong content-type': 415,
    'no content-type': 415,
  };

  /** Runs `numRuns` requests of `requests`, each of which must be refused. */
  const refusesAll = (requests: fc.Arbitrary<FuzzRequest>, numRuns: number) =>
    fc.assert(
      fc.asyncProperty(requests, async (request) => {
        sent[request.label] = (sent[request.label] ?? 0) + 1;
        const answer = await send(saga, request);
        expectRefused(answer);
        if (EXACTLY[request.label]) expect(answer.status).toBe(EXACTLY[request.label]);
      }),
      { seed: FUZZ_SEED, numRuns },
    );

  it('refuses random JSON values of every shape as an order', async () => {
    await refusesAll(randomJsonBodies, 40);
  });

  it('refuses near-valid orders with one field wrong (boundaries, unicode, nesting, extra fields)', async () => {
    await refusesAll(nearValidOrders, 90);
  });

  it('refuses bodies that are not JSON, too large, or of another content type or encoding', async () => {
    await refusesAll(rawBodies, 60);
  });

  it('refuses a valid order with a malformed Idempotency-Key', async () => {
    await refusesAll(badIdempotencyKeys, 30);
  });

  it('answers unknown and malformed ids of every service with a problem', async () => {
    await refusesAll(badPaths, 90);
  });

  it('sent every kind of bad request', () => {
    expect(Object.values(sent).reduce((sum, n) => sum + n, 0)).toBe(310);
    expect(Object.keys(sent).sort()).toEqual([...LABELS].sort());
  });

  it('wrote no order and published no event, and every service still works', async () => {
    // Act
    const effects = await saga.orderSideEffects();
    const ready = await Promise.all(
      SERVICE_NAMES.map(async (service) => ({
        service,
        status: (await saga.request(service, 'GET', '/health/ready')).status,
      })),
    );
    const settled = await saga.placeOrderAndWait(VALID_ORDER);

    // Assert
    expect(effects).toEqual({ orders: 0, outboxRows: 0, orderEvents: 0 });
    expect(ready).toEqual(SERVICE_NAMES.map((service) => ({ service, status: 200 })));
    expect(settled.status).toBe('CONFIRMED');
  });
});
