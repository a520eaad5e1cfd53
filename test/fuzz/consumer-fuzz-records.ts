import fc from 'fast-check';
import {
  MAX_RECORD_BYTES,
  SERVICE_NAMES,
  TOPICS,
  eventDefinition,
  readAsType,
  type ServiceName,
} from '@saga/contracts';
import { SAGA_SUBSCRIPTIONS } from '@saga/testing';
import { drafts } from './consumer-fuzz-arbitraries';
import {
  PROBE,
  RECORDS_PER_TOPIC,
  SAGA_TOPICS,
  type Draft,
  type FuzzRecord,
  type Outcome,
} from './consumer-fuzz-kinds';

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

/** The drafts of every saga topic drawn from `seed`, numbered, and the record at the size limit. */
export function fuzzRecords(seed: number): FuzzRecord[] {
  return [
    ...SAGA_TOPICS.flatMap(({ name: topic }, t) =>
      fc
        .sample(drafts(topic), { seed: seed + t, numRuns: RECORDS_PER_TOPIC })
        .map((draft, i) => numbered(draft, topic, `fuzz-${t}-${i}`)),
    ),
    recordAtTheSizeLimit(),
  ];
}
