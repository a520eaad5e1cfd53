import fc from 'fast-check';
import type { IHeaders } from 'kafkajs';
import { SERVICE_NAMES, eventDefinition, type ServiceName } from '@saga/contracts';
import { REPLAY_FOR_GROUP_HEADER } from '@saga/messaging';
import { EXAMPLES, PROBE, REQUIRED, SAGA_EVENTS, type Draft } from './consumer-fuzz-kinds';

/*
 * The fast-check arbitraries of the consumer fuzz: header values and names, unknown types, bytes that
 * are not JSON, payloads a schema refuses, and from them the poison records of a topic.
 */

const nonUtf8 = fc
  .uint8Array({ minLength: 0, maxLength: 16 })
  .map((bytes) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bytes)]));
/** A header value that is present (not empty): any text, lone surrogates and NUL included, or raw bytes. */
const headerValue = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.constantFrom('\u0000', '\ud800', '\u202eevil', ' ', '1.0'),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
  nonUtf8,
);
const RESERVED = new Set<string>([
  ...REQUIRED,
  'traceparent',
  'ce_causationid',
  PROBE,
  REPLAY_FOR_GROUP_HEADER,
]);
/** Extra headers of any name (prototype names included) but those the platform reads. */
const extraHeaders = fc.dictionary(
  fc
    .oneof(
      fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'content-type', ''),
      fc.string({ unit: 'binary', maxLength: 20 }),
    )
    .filter((name) => !RESERVED.has(name) && !name.startsWith('dlq_')),
  headerValue,
  { maxKeys: 3 },
);
/** A `ce_type` no contract declares: near misses of real ones, any text, bytes that are not UTF-8. */
const unknownType = fc.oneof(
  fc
    .oneof(
      fc.constantFrom(
        'order.placed.v2',
        'ORDER.PLACED.V1',
        'order.placed.v1 ',
        ' order.placed.v1',
        'order.placed',
        'order.placed.v1\u0000',
        'catalog.product-updated.v3',
      ),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
    )
    .filter((type) => eventDefinition(type) === undefined),
  nonUtf8,
);

/** Headers of a well-formed event of `type`, with garbage in the attributes nobody validates. */
const ceHeaders = (type: string | Buffer | (string | Buffer)[]) =>
  fc
    .record({
      ce_id: fc.uuid().map((id) => `fuzz-${id}`),
      ce_source: fc.oneof(fc.constant('/saga-platform/fuzz'), headerValue),
      ce_time: fc.oneof(fc.constant(new Date(0).toISOString()), headerValue),
      ce_correlationid: fc.oneof(fc.uuid(), headerValue),
      extra: extraHeaders,
    })
    .map(({ extra, ...attributes }): IHeaders => ({
      ...extra,
      ...attributes,
      ce_specversion: '1.0',
      ce_type: type,
    }));

/** Bytes that are not JSON at all: none, nothing, a BOM before JSON, NaN, or random bytes. */
const notJson = fc.oneof(
  fc.constantFrom<Buffer | null>(
    null,
    Buffer.alloc(0),
    Buffer.from('\ufeff{}'),
    Buffer.from('{"orderId":NaN}'),
    Buffer.from('{'),
  ),
  fc
    .uint8Array({ minLength: 1, maxLength: 200 })
    .map((bytes) => Buffer.from(bytes))
    .filter((bytes) => !parses(bytes)),
);

function parses(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString());
    return true;
  } catch {
    return false;
  }
}

/** Any value at all, valid payloads included: records refused for their headers must not be applied. */
const anyValue = fc.oneof(
  notJson,
  fc.jsonValue({ maxDepth: 3 }).map((value) => Buffer.from(JSON.stringify(value))),
  fc.constantFrom(...Object.values(EXAMPLES)).map((example) => Buffer.from(JSON.stringify(example))),
);

/** A payload of `type` that its schema refuses: random JSON, or the example with one field wrong or gone. */
const schemaInvalid = (type: string) => {
  const example = EXAMPLES[type];
  const wrong = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom<unknown>(null, -1, 0.5, 2 ** 53, '', 'x'.repeat(600), [], {}, true, '\u0000'),
    fc.jsonValue({ maxDepth: 2 }),
  );
  return fc
    .oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc
        .tuple(fc.constantFrom(...Object.keys(example)), wrong)
        .map(([field, value]) => ({ ...example, [field]: value })),
    )
    .map((payload) => Buffer.from(JSON.stringify(payload) ?? ''))
    .filter(
      (bytes) =>
        parses(bytes) && !eventDefinition(type)!.schema.safeParse(JSON.parse(bytes.toString())).success,
    );
};

const keyKind = fc.constantFrom<Draft['keyKind']>('plain', 'plain', 'binary', 'null');

/** The poison records of one topic: every kind, with known types mostly of that topic. */
export function drafts(topic: string): fc.Arbitrary<Draft> {
  const own = SAGA_EVENTS.filter((event) => event.topic.name === topic).map((event) => event.type);
  const knownType = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...own) },
    { weight: 1, arbitrary: fc.constantFrom(...SAGA_EVENTS.map((event) => event.type)) },
  );
  const anyType = fc.oneof(knownType, unknownType);
  const typeOf = (type: string | Buffer) => (typeof type === 'string' ? type : type.toString());
  const plain: fc.Arbitrary<Draft>[] = [
    fc
      .tuple(anyType, fc.subarray([...REQUIRED], { minLength: 1 }), fc.boolean(), anyValue, keyKind)
      .chain(([type, missing, empty, value, key]) =>
        ceHeaders(type).map((headers): Draft => {
          for (const name of missing) {
            if (empty) headers[name] = '';
            else delete headers[name];
          }
          const kept = !missing.includes('ce_type');
          return {
            kind: 'missing ce headers',
            value,
            headers,
            reason: 'missing-header',
            type: kept ? typeOf(type) : undefined,
            keyKind: key,
          };
        }),
      ),
    fc
      .tuple(
        anyType,
        fc.oneof(
          fc.constantFrom<string | Buffer>('0.3', '1.1', '2.0', '1', '1.0 ', ' 1.0', '1.00', '１.０'),
          headerValue.filter((version) => version.toString() !== '1.0'),
        ),
        anyValue,
        keyKind,
      )
      .chain(([type, version, value, key]) =>
        ceHeaders(type).map((headers): Draft => ({
          kind: 'wrong specversion',
          value,
          headers: { ...headers, ce_specversion: version },
          reason: 'unsupported-specversion',
          type: typeOf(type),
          keyKind: key,
        })),
      ),
    fc.tuple(unknownType, anyValue, keyKind).chain(([type, value, key]) =>
      ceHeaders(type).map((headers): Draft => ({
        kind: 'unknown type',
        value,
        headers,
        reason: 'unknown-type',
        type: typeOf(type),
        keyKind: key,
      })),
    ),
    fc.tuple(knownType, notJson, keyKind).chain(([type, value, key]) =>
      ceHeaders(type).map((headers): Draft => ({
        kind: 'not JSON',
        value,
        headers,
        reason: 'invalid-json',
        type,
        keyKind: key,
      })),
    ),
    fc.tuple(knownType, keyKind).chain(([type, key]) =>
      fc.tuple(ceHeaders(type), schemaInvalid(type)).map(([headers, value]): Draft => ({
        kind: 'schema-invalid',
        value,
        headers,
        reason: 'schema-invalid',
        type,
        keyKind: key,
      })),
    ),
    fc.tuple(fc.constantFrom(...own), unknownType, keyKind).chain(([type, other, key]) =>
      fc.tuple(ceHeaders([type, other]), schemaInvalid(type)).map(([headers, value]): Draft => ({
        kind: 'ce_type twice',
        value,
        headers,
        reason: 'schema-invalid',
        type,
        keyKind: key,
      })),
    ),
    fc
      .tuple(unknownType, fc.integer({ min: 100_000, max: 400_000 }), fc.boolean(), keyKind)
      .chain(([type, size, inHeader, key]) =>
        ceHeaders(type).map((headers): Draft => ({
          kind: 'huge',
          value: inHeader ? Buffer.from('{}') : Buffer.alloc(size, 'v'),
          headers: inHeader ? { ...headers, fuzz_huge: 'h'.repeat(size) } : headers,
          reason: 'unknown-type',
          type: typeOf(type),
          keyKind: key,
        })),
      ),
  ];
  const replay = fc
    .tuple(fc.oneof(...plain), fc.constantFrom<ServiceName | 'nobody'>(...SERVICE_NAMES, 'nobody'))
    .map(([draft, replayFor]): Draft => ({ ...draft, kind: 'replay for one group', replayFor }));
  return fc.oneof(...plain, replay);
}
