import fc from 'fast-check';
import type { ServiceName } from '@saga/contracts';
import { SEED } from '../saga/saga-fixtures';

/*
 * The requests of the HTTP fuzz: their kinds, their shape (plain data, so fast-check can print and
 * shrink them), how to build one, and the strings both the bodies and the paths are made of.
 */

export const SEEDED_SKUS = SEED.products.map((product) => product.sku);
export const SEEDED_CUSTOMERS = SEED.accounts.map((account) => account.customerId);
export const VALID_ORDER = { customerId: 'rich', items: [{ sku: 'WIDGET', quantity: 1 }] };
export const VALID_JSON = JSON.stringify(VALID_ORDER);
/** `MAX_BODY_BYTES` of @saga/platform, written out: the test states the contract, not the code's constant. */
export const MAX_BODY_BYTES = 64 * 1024;
export const SKU = /^[A-Z0-9][A-Z0-9-]{0,63}$/;
export const CUSTOMER_ID = /^[A-Za-z0-9._-]{1,64}$/;
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The kinds of bad request the fuzz sends: each must be sent at least once in a run. */
export const LABELS = [
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
export interface FuzzRequest {
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
export function fuzzRequest(request: FuzzRequest): FuzzRequest {
  const body = JSON.stringify(cut(request.body?.toString('utf8') ?? '', 160));
  return Object.assign(request, {
    [fc.toStringMethod]: () =>
      `${request.label}: ${request.method} ${cut(request.path, 200)} ${cut(JSON.stringify(request.headers), 300)} ${body}`,
  });
}

/** A POST /orders with `body` (raw bytes as given, or JSON) and `headers` (no content-type unless set). */
export const postOrder = (label: FuzzRequest['label'], body: unknown, headers: Record<string, string> = {}) =>
  fuzzRequest({
    label,
    service: 'order',
    method: 'POST',
    path: '/orders',
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  });

/** Whether a parsed body has the keys of an order (exactly `customerId` and `items`): it might be valid. */
export function hasOrderShape(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.keys(value).sort().join(',') === 'customerId,items';
}

/** Whether raw text, parsed as JSON, could be an order (see {@link hasOrderShape}). */
export function couldBeAnOrder(text: string): boolean {
  try {
    return hasOrderShape(JSON.parse(text.replace(/^\uFEFF/, '')));
  } catch {
    return false;
  }
}

/** Every byte percent-encoded: a path segment or query value exactly as generated, lone surrogates and all. */
export const percentEncode = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

/** Strings of every kind: any code point, lone surrogates, NUL, direction marks, and long ones. */
export const nastyString = fc.oneof(
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

/** A SKU of the right form that the catalog does not have: 422, not 400. */
export const unknownSku = fc.stringMatching(SKU).filter((sku) => !SEEDED_SKUS.includes(sku));

/** A GET of `path` on `service`, with no headers. */
export const get = (label: FuzzRequest['label'], service: ServiceName, path: string) =>
  fuzzRequest({ label, service, method: 'GET', path, headers: {} });
