import fc from 'fast-check';
import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import {
  EVENTS,
  MAX_RECORD_BYTES,
  SERVICE_NAMES,
  TOPICS,
  deadLetterTopic,
  eventDefinition,
  isSagaService,
  readAsType,
  type PoisonReason,
  type ServiceName,
} from '@saga/contracts';
import { DLQ_HEADERS, REPLAY_FOR_GROUP_HEADER, type ConsumerStats } from '@saga/messaging';
import {
  SAGA_SUBSCRIPTIONS,
  SagaHarness,
  idempotentProducer,
  readToEnd,
  scrapeMetrics,
  testKafka,
  waitFor,
} from '@saga/testing';
import { SEED, SERVICES } from '../saga/saga-fixtures';

/** Replays a run: the seed is in the test's name, so a failure report shows it. */
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_260_101);
const RECORDS_PER_TOPIC = 32;
/** A header of every fuzz record: how its dead letters are found, whatever its key. */
const PROBE = 'fuzz_probe';
const REQUIRED = ['ce_id', 'ce_type', 'ce_source', 'ce_specversion', 'ce_time', 'ce_correlationid'] as const;
const ORDER_ID = '0b7d3c4e-9a8f-4e21-b5d6-7c8e9f0a1b2c';

/**
 * The events and topics of the four services this test runs. A service added with
 * `npm run generate:service` is not in this platform copy; its own tests cover its events.
 */
const SAGA_EVENTS = EVENTS.filter((event) => isSagaService(event.topic.producer));
const SAGA_TOPICS = Object.values(TOPICS).filter((topic) => isSagaService(topic.producer));

/** A valid payload of every event type of the saga: the base of the one-field-wrong payloads. */
const EXAMPLES: Readonly<Record<string, Record<string, unknown>>> = {
  'order.placed.v1': {
    orderId: ORDER_ID,
    customerId: 'rich',
    items: [{ sku: 'WIDGET', quantity: 1, unitPriceCents: 1_000 }],
    totalCents: 1_000,
    currency: 'EUR',
  },
  'order.confirmed.v1': { orderId: ORDER_ID, customerId: 'rich', totalCents: 1_000, currency: 'EUR' },
  'order.cancellation-requested.v1': { orderId: ORDER_ID, customerId: 'rich', reason: 'fuzz' },
  'order.cancelled.v1': { orderId: ORDER_ID, customerId: 'rich', reason: 'fuzz' },
  'payment.authorized.v1': {
    orderId: ORDER_ID,
    customerId: 'rich',
    amountCents: 1_000,
    currency: 'EUR',
    items: [{ sku: 'WIDGET', quantity: 1 }],
  },
  'payment.failed.v1': {
    orderId: ORDER_ID,
    customerId: 'poor',
    amountCents: 1_000,
    currency: 'EUR',
    reason: 'INSUFFICIENT_FUNDS',
  },
  'payment.refunded.v1': {
    orderId: ORDER_ID,
    customerId: 'rich',
    amountCents: 1_000,
    currency: 'EUR',
    reason: 'fuzz',
  },
  'inventory.stock-reserved.v1': { orderId: ORDER_ID, items: [{ sku: 'WIDGET', quantity: 1 }] },
  'inventory.stock-reservation-failed.v1': { orderId: ORDER_ID, reason: 'OUT_OF_STOCK', lines: [] },
  'inventory.stock-released.v1': { orderId: ORDER_ID, items: [{ sku: 'WIDGET', quantity: 1 }] },
  'catalog.product-updated.v1': {
    sku: 'WIDGET',
    name: 'Widget',
    priceCents: 1,
    currency: 'EUR',
    available: 1,
  },
  'catalog.product-updated.v2': {
    sku: 'WIDGET',
    name: 'Widget',
    priceCents: 1,
    currency: 'EUR',
    available: 1,
    status: 'ACTIVE',
  },
};

/** What a consumer group must do with a fuzz record. */
type Outcome = PoisonReason | 'skipped';

/** The kinds of poison record the fuzz sends: each must be sent at least once in a run. */
const KINDS = [
  'missing ce headers',
  'wrong specversion',
  'unknown type',
  'not JSON',
  'schema-invalid',
  'ce_type twice',
  'huge',
  'replay for one group',
  'at the size limit',
] as const;

/** A fuzz record before it is numbered: what is sent, and why every consumer reading it must refuse it. */
interface Draft {
  readonly kind: (typeof KINDS)[number];
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  /** Why a consumer that does not skip it dead-letters it. */
  readonly reason: PoisonReason;
  /** `ce_type` as a consumer reads it (its first value), when it names a type. */
  readonly type?: string;
  /** The service the record is addressed to as a replay (`saga_replay_for_group`), if any. */
  readonly replayFor?: ServiceName | 'nobody';
  /** Keys: `fuzz-<n>`, that followed by bytes that are not UTF-8, or none (not on compacted topics). */
  readonly keyKind: 'plain' | 'binary' | 'null';
}

/** A numbered fuzz record on its topic, with what each service must do with it. */
interface FuzzRecord extends Draft {
  readonly probe: string;
  /** Logical topic name (without the platform's prefix). */
  readonly topic: string;
  readonly key: Buffer | null;
  readonly expected: Partial<Record<ServiceName, Outcome>>;
}

/** Whether a service's consumer group reads `topic`. */
const subscribes = (service: ServiceName, topic: string) =>
  SAGA_SUBSCRIPTIONS[service].some((type) => eventDefinition(type)?.topic.name === topic);

/**
 * What a service must do with a record (SagaKafkaServer's contract): a replay for another group, or a
 * known type it has no handler for, is skipped; anything else that is not a valid event is dead-lettered
 * with the reason the decoder finds. Undefined when the service does not read the topic at all.
 */
function expectedOutcome(service: ServiceName, topic: string, draft: Draft): Outcome | undefined {
  if (!subscribes(service, topic)) return undefined;
  if (draft.replayFor && draft.replayFor !== service) return 'skipped';
  const known = draft.type !== undefined && eventDefinition(draft.type) !== undefined;
  if (known && !SAGA_SUBSCRIPTIONS[service].includes(readAsType(draft.type))) return 'skipped';
  return draft.reason;
}

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
function drafts(topic: string): fc.Arbitrary<Draft> {
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

/** Numbers a draft on its topic and works out what each service must do with it. */
function numbered(draft: Draft, topic: string, probe: string): FuzzRecord {
  // A compacted topic refuses records without a key.
  const compacted = Object.values(TOPICS).some((t) => t.name === topic && t.cleanupPolicy === 'compact');
  const keyKind = draft.keyKind === 'null' && compacted ? 'plain' : draft.keyKind;
  const key =
    keyKind === 'null'
      ? null
      : keyKind === 'binary'
        ? Buffer.concat([Buffer.from(`${probe}-`), Buffer.from([0xff, 0x00, 0xc3])])
        : Buffer.from(probe);
  const expected = Object.fromEntries(
    SERVICE_NAMES.map((service) => [service, expectedOutcome(service, topic, draft)] as const).filter(
      ([, outcome]) => outcome !== undefined,
    ),
  );
  return { ...draft, keyKind, probe, topic, key, expected };
}

/** Bytes of a zigzag varint (Kafka's record fields). */
const varintBytes = (n: number) => Math.max(1, Math.ceil(Math.log2(2 * n + 1) / 7));

/** The size of a record batch holding one uncompressed record, as the broker measures it. */
function batchBytes(key: Buffer, value: Buffer, headers: Readonly<Record<string, string>>): number {
  const field = (bytes: number) => varintBytes(bytes) + bytes;
  const headerBytes = Object.entries(headers).reduce(
    (sum, [name, text]) => sum + field(Buffer.byteLength(name)) + field(Buffer.byteLength(text)),
    0,
  );
  // attributes, timestamp delta, offset delta; key; value; header count and headers
  const record =
    3 + field(key.length) + field(value.length) + varintBytes(Object.keys(headers).length) + headerBytes;
  return 61 + field(record); // 61: the batch's log overhead and header
}

/**
 * A record of an unknown type exactly as large as a saga topic takes ({@link MAX_RECORD_BYTES}): its
 * dead letter is that plus the `dlq_*` headers, and must still fit in the dead-letter topic.
 */
function recordAtTheSizeLimit(): FuzzRecord {
  const probe = 'fuzz-size-limit';
  const headers = {
    ce_specversion: '1.0',
    ce_id: `fuzz-${probe}`,
    ce_type: 'fuzz.as-large-as-allowed.v1',
    ce_source: '/saga-platform/fuzz',
    ce_time: new Date(0).toISOString(),
    ce_correlationid: probe,
    [PROBE]: probe,
  };
  let size = MAX_RECORD_BYTES;
  while (batchBytes(Buffer.from(probe), Buffer.alloc(size), headers) > MAX_RECORD_BYTES) size -= 1;
  const draft: Draft = {
    kind: 'at the size limit',
    value: Buffer.alloc(size, 'L'),
    headers,
    reason: 'unknown-type',
    type: headers.ce_type,
    keyKind: 'plain',
  };
  return numbered(draft, TOPICS.orderEvents.name, probe);
}

/** The drafts of every saga topic, numbered, and the record at the size limit. */
function fuzzRecords(): FuzzRecord[] {
  return [
    ...SAGA_TOPICS.flatMap(({ name: topic }, t) =>
      fc
        .sample(drafts(topic), { seed: FUZZ_SEED + t, numRuns: RECORDS_PER_TOPIC })
        .map((draft, i) => numbered(draft, topic, `fuzz-${t}-${i}`)),
    ),
    recordAtTheSizeLimit(),
  ];
}

/** A dead letter as read back from a service's dead-letter topic. */
interface DeadLetter {
  readonly service: ServiceName;
  readonly message: KafkaMessage;
}

/**
 * A header's value as text, a repeated header's values joined. kafkajs reads a header named like an
 * `Object.prototype` member (`toString`, `__proto__`) as that member followed by the value: only the
 * bytes count.
 */
function text(value: unknown): string | undefined {
  const values = (Array.isArray(value) ? value : [value]).filter(
    (item): item is Buffer | string => Buffer.isBuffer(item) || typeof item === 'string',
  );
  return values.length === 0 ? undefined : values.map(String).join(',');
}

/** Reads every service's dead-letter topic to its end. */
async function readDeadLetters(saga: SagaHarness): Promise<DeadLetter[]> {
  const byTopic = new Map(
    SERVICE_NAMES.map((s) => [`${saga.platform.topicPrefix}${deadLetterTopic(s).name}`, s]),
  );
  const letters: DeadLetter[] = [];
  await readToEnd(testKafka(), [...byTopic.keys()], (topic, _partition, message) => {
    letters.push({ service: byTopic.get(topic)!, message });
  });
  return letters;
}

/** The business state of the four services, their outboxes and inboxes: what a fuzz record must not change. */
async function businessState(saga: SagaHarness) {
  const rows = (service: ServiceName, sql: string) => saga.query<Record<string, unknown>>(service, sql);
  return {
    orders: await rows('order', 'SELECT id, status, total_cents FROM orders ORDER BY id'),
    orderItems: await rows('order', 'SELECT count(*) FROM order_items'),
    timeline: await rows('order', 'SELECT count(*) FROM order_timeline'),
    catalog: await rows('order', 'SELECT * FROM catalog_products ORDER BY sku'),
    accounts: await rows('payment', 'SELECT customer_id, balance_cents FROM accounts ORDER BY 1'),
    payments: await rows('payment', 'SELECT * FROM payments ORDER BY 1'),
    entries: await rows('payment', 'SELECT count(*) FROM account_entries'),
    products: await rows('inventory', 'SELECT * FROM products ORDER BY sku'),
    reservations: await rows('inventory', 'SELECT count(*) FROM reservations'),
    reservationLines: await rows('inventory', 'SELECT count(*) FROM reservation_lines'),
    notifications: await rows('notification', 'SELECT * FROM notifications ORDER BY 1'),
    outboxes: await Promise.all(SERVICE_NAMES.map((s) => rows(s, 'SELECT count(*) FROM outbox'))),
    inboxes: await Promise.all(SERVICE_NAMES.map((s) => rows(s, 'SELECT count(*) FROM inbox'))),
    fuzzInInboxes: await Promise.all(
      SERVICE_NAMES.map((s) => rows(s, "SELECT count(*) FROM inbox WHERE event_id LIKE 'fuzz-%'")),
    ),
  };
}

/** Each service's consumer counters. */
const consumerStats = (saga: SagaHarness) =>
  Object.fromEntries(
    SERVICE_NAMES.map((s) => [s, { ...saga.platform.instance(s)!.consumer.stats }]),
  ) as Record<ServiceName, ConsumerStats>;

/** Sends the records, each with its probe header (and its replay header, resolved to a real group). */
async function produceAll(saga: SagaHarness, producer: Producer, records: readonly FuzzRecord[]) {
  for (const record of records) {
    const headers: IHeaders = { ...record.headers, [PROBE]: record.probe };
    if (record.replayFor) {
      headers[REPLAY_FOR_GROUP_HEADER] =
        record.replayFor === 'nobody' ? 'nobody-service' : saga.platform.groupId(record.replayFor);
    }
    // One record a request: a few are hundreds of KB, and a batch of them would pass the broker's limit.
    await producer.send({
      topic: `${saga.platform.topicPrefix}${record.topic}`,
      acks: -1,
      messages: [{ key: record.key, value: record.value, headers }],
    });
  }
}

/**
 * Seeded fuzz of the Kafka consumers: poison records on every saga topic — random bytes, missing and
 * garbage headers, unknown types, payloads their schema refuses, huge headers, keys of any bytes or none
 * — must each be skipped or dead-lettered, exactly as SagaKafkaServer's contract says, by every service
 * that reads the topic, original bytes intact; none may change anything or stop a consumer.
 */
describe(`Kafka consumer fuzz (FUZZ_SEED=${FUZZ_SEED})`, () => {
  const records = fuzzRecords();
  const byProbe = new Map(records.map((record) => [record.probe, record]));
  /** A dead letter as compared: `<service> <probe> (<kind>) <reason>`. */
  const line = (service: string, probe: string | undefined, reason: string | undefined) =>
    `${service} ${probe} (${byProbe.get(probe ?? '')?.kind ?? 'not a fuzz record'}) ${reason}`;
  const lineOf = ({ service, message }: DeadLetter) =>
    line(service, text(message.headers?.[PROBE]), text(message.headers?.[DLQ_HEADERS.reason]));
  const wanted = records
    .flatMap((record) =>
      Object.entries(record.expected)
        .filter(([, outcome]) => outcome !== 'skipped')
        .map(([service, reason]) => line(service, record.probe, reason)),
    )
    .sort();
  let saga: SagaHarness;
  let producer: Producer;
  let before: Awaited<ReturnType<typeof businessState>>;
  let statsBefore: ReturnType<typeof consumerStats>;
  let lettersBefore: DeadLetter[];
  let letters: DeadLetter[];

  beforeAll(async () => {
    // Arrange
    saga = await SagaHarness.start('consumer-fuzz', SERVICES, SEED);
    producer = idempotentProducer(testKafka('consumer-fuzz'));
    await producer.connect();
    await saga.waitForDrain();
    before = await businessState(saga);
    statsBefore = consumerStats(saga);
    lettersBefore = await readDeadLetters(saga);

    // Act
    await produceAll(saga, producer, records);
    await waitFor(
      async () => {
        const got = new Set((await readDeadLetters(saga)).map(lineOf));
        const missing = wanted.filter((letter) => !got.has(letter));
        if (missing.length === 0) return true;
        throw new Error(
          `${missing.length} of ${wanted.length} missing, e.g. ${missing.slice(0, 5).join('; ')}`,
        );
      },
      { timeoutMs: 45_000, intervalMs: 500, what: 'the dead letters of every fuzz record' },
    );
    await saga.waitForDrain();
    letters = await readDeadLetters(saga);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await saga?.destroy();
  });

  it('builds records of every kind, each refused for a reason known in advance', () => {
    const invalidExamples = Object.entries(EXAMPLES).filter(
      ([type, example]) => !eventDefinition(type)!.schema.safeParse(example).success,
    );
    expect(invalidExamples).toEqual([]);
    expect(Object.keys(EXAMPLES).sort()).toEqual(SAGA_EVENTS.map((event) => event.type).sort());
    expect([...new Set(records.map((record) => record.kind))].sort()).toEqual([...KINDS].sort());
    expect(byProbe.size).toBe(RECORDS_PER_TOPIC * SAGA_TOPICS.length + 1);
  });

  it('dead-letters each record in the DLQ of exactly the services expected, with the reason expected', () => {
    expect(lettersBefore).toEqual([]);
    expect(letters.map(lineOf).sort()).toEqual(wanted);
  });

  it('keeps the original key, value and headers in every dead letter, and says where it came from', () => {
    const damaged = letters.flatMap(({ service, message }) => {
      const record = byProbe.get(text(message.headers?.[PROBE]) ?? '');
      if (!record) return [`${service}: a dead letter of no fuzz record`];
      const originalTopic = `${saga.platform.topicPrefix}${record.topic}`;
      const problems = [
        !sameBytes(message.key, record.key) && 'key changed',
        !sameBytes(message.value, record.value) && 'value changed',
        ...Object.entries(record.headers)
          .filter(([name, value]) => !sameHeader(message.headers?.[name], value))
          .map(([name]) => `header ${JSON.stringify(name)} changed`),
        text(message.headers?.[DLQ_HEADERS.topic]) !== originalTopic && 'wrong original topic',
        text(message.headers?.[DLQ_HEADERS.consumerGroup]) !== saga.platform.groupId(service) &&
          'wrong group',
        text(message.headers?.[DLQ_HEADERS.attempts]) !== '0' && 'retried',
      ].filter(Boolean);
      return problems.length > 0 ? [`${service} ${record.probe}: ${problems.join(', ')}`] : [];
    });
    expect(damaged).toEqual([]);
  });

  it('counts each dead letter at GET /metrics, by the topic it came from and its reason', async () => {
    // Act
    const counted = await Promise.all(
      SERVICE_NAMES.map(async (service) => {
        const scrape = await scrapeMetrics(saga.platform.url(service));
        return scrape
          .matching('saga_dead_letters_total')
          .flatMap(({ labels, value }) =>
            Array.from({ length: value }, () => `${service} ${labels.topic} ${labels.reason}`),
          );
      }),
    );

    // Assert: the same dead letters as the DLQs hold (none were there before the fuzz records)
    const inDlq = letters.map(
      ({ service, message }) =>
        `${service} ${text(message.headers?.[DLQ_HEADERS.topic])} ${text(message.headers?.[DLQ_HEADERS.reason])}`,
    );
    expect(counted.flat().sort()).toEqual(inDlq.sort());
    expect(inDlq.length).toBeGreaterThan(0);
  });

  it('applies nothing: business tables, outboxes and inboxes unchanged; no record applied or retried', async () => {
    // Act
    const after = await businessState(saga);
    const statsAfter = consumerStats(saga);

    // Assert
    expect(after).toEqual(before);
    const count = (service: ServiceName, skipped: boolean) =>
      records.filter(
        (record) =>
          record.expected[service] !== undefined && (record.expected[service] === 'skipped') === skipped,
      ).length;
    expect(SERVICE_NAMES.map((s) => ({ service: s, ...delta(statsBefore[s], statsAfter[s]) }))).toEqual(
      SERVICE_NAMES.map((s) => ({
        service: s,
        applied: 0,
        duplicates: 0,
        retries: 0,
        skipped: count(s, true),
        deadLettered: count(s, false),
      })),
    );
  });

  it('leaves every service consuming and ready, and a valid order still settles', async () => {
    // Act
    const health = await Promise.all(
      SERVICE_NAMES.map(async (service) => ({
        service,
        consuming: saga.platform.instance(service)!.consumer.health().consuming,
        ready: (await saga.request(service, 'GET', '/health/ready')).status,
      })),
    );
    const settled = await saga.placeOrderAndWait({
      customerId: 'rich',
      items: [{ sku: 'WIDGET', quantity: 1 }],
    });

    // Assert
    expect(health).toEqual(SERVICE_NAMES.map((service) => ({ service, consuming: true, ready: 200 })));
    expect(settled.status).toBe('CONFIRMED');
  });
});

/**
 * Whether a dead letter's header holds the bytes that were sent: a string goes out as UTF-8 (a lone
 * surrogate as U+FFFD), and kafkajs reads a header named like an `Object.prototype` member with that
 * member in front (see {@link text}).
 */
function sameHeader(actual: unknown, sent: unknown): boolean {
  const bytes = (value: unknown) =>
    (Array.isArray(value) ? value : [value])
      .filter((item): item is Buffer | string => Buffer.isBuffer(item) || typeof item === 'string')
      .map((item) => Buffer.from(item).toString('hex'))
      .join(',');
  return bytes(actual) === bytes(sent);
}

/** Whether two keys or values hold the same bytes (null and null included). */
function sameBytes(actual: Buffer | null, expected: Buffer | null): boolean {
  if (actual === null || expected === null) return actual === expected;
  return actual.equals(expected);
}

/** The change of each counter between two looks. */
function delta(before: ConsumerStats, after: ConsumerStats): ConsumerStats {
  return {
    applied: after.applied - before.applied,
    duplicates: after.duplicates - before.duplicates,
    skipped: after.skipped - before.skipped,
    retries: after.retries - before.retries,
    deadLettered: after.deadLettered - before.deadLettered,
  };
}
