import type { Producer } from 'kafkajs';
import { SERVICE_NAMES, eventDefinition, type ServiceName } from '@saga/contracts';
import { DLQ_HEADERS } from '@saga/messaging';
import { scrapeMetrics, testKafka } from '@saga/test-kit';
import { idempotentProducer, waitFor } from '@saga/common';
import { SagaHarness } from '@saga/testing';
import { SEED, SERVICES } from '../saga/saga-fixtures';
import { EXAMPLES, KINDS, PROBE, RECORDS_PER_TOPIC, SAGA_EVENTS, SAGA_TOPICS } from './consumer-fuzz-kinds';
import {
  businessState,
  consumerStats,
  delta,
  produceAll,
  readDeadLetters,
  sameBytes,
  sameHeader,
  text,
  type DeadLetter,
} from './consumer-fuzz-probes';
import { fuzzRecords } from './consumer-fuzz-records';

/** Replays a run: the seed is in the test's name, so a failure report shows it. */
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_260_101);

/**
 * Seeded fuzz of the Kafka consumers: poison records on every saga topic — random bytes, missing and
 * garbage headers, unknown types, payloads their schema refuses, huge headers, keys of any bytes or none
 * — must each be skipped or dead-lettered, exactly as SagaKafkaServer's contract says, by every service
 * that reads the topic, original bytes intact; none may change anything or stop a consumer.
 */
describe(`Kafka consumer fuzz (FUZZ_SEED=${FUZZ_SEED})`, () => {
  const records = fuzzRecords(FUZZ_SEED);
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
