import { randomUUID } from 'node:crypto';
import type { EventData, EventDefinition } from './define-event';
import { eventDefinition, upcasterFrom } from './registry';

/**
 * An event as the platform handles it: the CloudEvents 1.0 attributes, the Kafka routing (topic, key)
 * and the validated data. On the wire it is a Kafka record in CloudEvents **binary mode**: attributes
 * in `ce_*` headers, data as JSON in the value ({@link toKafkaRecord}, {@link fromKafkaRecord}).
 */
export interface EventEnvelope<Data = unknown> {
  /** `ce_id`: unique per event; the inbox deduplicates on it. */
  readonly id: string;
  /** `ce_type`: the event type with its version, e.g. `order.placed.v1`. */
  readonly type: string;
  /** `ce_source`: the producing service, e.g. `/saga-platform/order`. */
  readonly source: string;
  /** `ce_time`: when the event happened (RFC 3339). */
  readonly time: string;
  /** `ce_correlationid`: the id shared by every event of one saga (the first event's id). */
  readonly correlationId: string;
  /** `ce_causationid`: the id of the event this one reacts to; absent on the first. */
  readonly causationId?: string;
  /** W3C `traceparent` of the work that produced the event, if traced. */
  readonly traceparent?: string;
  /** Kafka topic. */
  readonly topic: string;
  /** Kafka key: the order id on saga topics, the sku on the catalog. */
  readonly key: string;
  /** The event data, valid against its type's schema. */
  readonly data: Data;
}

/** The envelope of an event of `Definition`, as a handler receives it: `EventOf<typeof OrderPlacedV1>`. */
export type EventOf<Definition extends EventDefinition> = EventEnvelope<EventData<Definition>>;

/** What a new event can say about where it comes from. */
export interface EventOrigin {
  /** The producing service's name, e.g. `order`. */
  readonly source: string;
  /** The event this one reacts to: its id becomes the causation id, its correlation id is kept. */
  readonly causedBy?: Pick<EventEnvelope, 'id' | 'correlationId' | 'traceparent'>;
  /** Overrides the trace context (else inherited from `causedBy`). */
  readonly traceparent?: string;
}

/** Builds an event of `definition` from its data, validating the data (validation on produce). */
export function createEvent<Definition extends EventDefinition>(
  definition: Definition,
  data: EventData<Definition>,
  origin: EventOrigin,
): EventEnvelope<EventData<Definition>> {
  const parsed = definition.schema.parse(data) as EventData<Definition>;
  const id = randomUUID();
  const traceparent = origin.traceparent ?? origin.causedBy?.traceparent;
  return {
    id,
    type: definition.type,
    source: `/saga-platform/${origin.source}`,
    time: new Date().toISOString(),
    correlationId: origin.causedBy?.correlationId ?? id,
    ...(origin.causedBy ? { causationId: origin.causedBy.id } : {}),
    ...(traceparent ? { traceparent } : {}),
    topic: definition.topic.name,
    key: definition.key(parsed),
    data: parsed,
  };
}

/** A Kafka record in CloudEvents binary mode, as kafkajs sends it. */
export interface KafkaRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** Encodes an event as a Kafka record in CloudEvents binary mode. */
export function toKafkaRecord(event: EventEnvelope): KafkaRecord {
  const headers: Record<string, string> = {
    ce_specversion: '1.0',
    ce_id: event.id,
    ce_type: event.type,
    ce_source: event.source,
    ce_time: event.time,
    ce_correlationid: event.correlationId,
    'content-type': 'application/json',
  };
  if (event.causationId) headers.ce_causationid = event.causationId;
  if (event.traceparent) headers.traceparent = event.traceparent;
  return { topic: event.topic, key: event.key, value: JSON.stringify(event.data), headers };
}

/** Why a record cannot be decoded: each reason sends it to the dead-letter topic at once. */
export type PoisonReason =
  'missing-header' | 'unsupported-specversion' | 'unknown-type' | 'invalid-json' | 'schema-invalid';

/** A record that is not a valid event of a known type. Never retried: it goes to the DLQ. */
export class PoisonRecordError extends Error {
  constructor(
    readonly reason: PoisonReason,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'PoisonRecordError';
  }
}

/** A Kafka record as a consumer receives it (kafkajs `KafkaMessage` fits). */
export interface IncomingRecord {
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

const REQUIRED_HEADERS = [
  'ce_id',
  'ce_type',
  'ce_source',
  'ce_specversion',
  'ce_time',
  'ce_correlationid',
] as const;

/**
 * A header of a consumed record as text, the way {@link fromKafkaRecord} reads it: of a header sent
 * more than once, the first value. Whoever routes a record before decoding it (by `ce_type`, say) must
 * read it so too, or the two can disagree on what the record is.
 */
export function recordHeader(record: Pick<IncomingRecord, 'headers'>, name: string): string | undefined {
  const value = record.headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * Decodes and validates a consumed record (validation on consume), then reads it as the newest
 * version its upcasters reach. Throws {@link PoisonRecordError} for anything that is not a valid event.
 */
export function fromKafkaRecord(topic: string, record: IncomingRecord): EventEnvelope {
  const missing = REQUIRED_HEADERS.filter((name) => !recordHeader(record, name));
  if (missing.length > 0) {
    throw new PoisonRecordError('missing-header', `missing ${missing.join(', ')}`);
  }
  if (recordHeader(record, 'ce_specversion') !== '1.0') {
    throw new PoisonRecordError(
      'unsupported-specversion',
      `ce_specversion ${recordHeader(record, 'ce_specversion')}`,
    );
  }
  let type = recordHeader(record, 'ce_type')!;
  let definition = eventDefinition(type);
  if (!definition) {
    throw new PoisonRecordError('unknown-type', `no contract declares ce_type ${type}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(record.value?.toString() ?? '');
  } catch (error) {
    throw new PoisonRecordError('invalid-json', (error as Error).message);
  }
  data = validate(definition, data);
  for (let upcaster = upcasterFrom(type); upcaster; upcaster = upcasterFrom(type)) {
    data = validate(upcaster.to, upcaster.upcast(data as never));
    definition = upcaster.to;
    type = definition.type;
  }
  const causationId = recordHeader(record, 'ce_causationid');
  const traceparent = recordHeader(record, 'traceparent');
  return {
    id: recordHeader(record, 'ce_id')!,
    type,
    source: recordHeader(record, 'ce_source')!,
    time: recordHeader(record, 'ce_time')!,
    correlationId: recordHeader(record, 'ce_correlationid')!,
    ...(causationId ? { causationId } : {}),
    ...(traceparent ? { traceparent } : {}),
    topic,
    key: record.key?.toString() ?? '',
    data,
  };
}

function validate(definition: EventDefinition, data: unknown): unknown {
  const result = definition.schema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(data)'}: ${issue.message}`,
    );
    throw new PoisonRecordError('schema-invalid', `${definition.type}: ${problems.join('; ')}`);
  }
  return result.data;
}
