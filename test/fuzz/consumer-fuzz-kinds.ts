import type { IHeaders } from 'kafkajs';
import { EVENTS, TOPICS, isSagaService, type PoisonReason, type ServiceName } from '@saga/contracts';

/*
 * What the consumer fuzz sends and expects: the kinds of poison record, a valid payload of every saga
 * event (the base of the one-field-wrong ones), and the shape of a fuzz record.
 */

export const RECORDS_PER_TOPIC = 32;
/** A header of every fuzz record: how its dead letters are found, whatever its key. */
export const PROBE = 'fuzz_probe';
export const REQUIRED = [
  'ce_id',
  'ce_type',
  'ce_source',
  'ce_specversion',
  'ce_time',
  'ce_correlationid',
] as const;
const ORDER_ID = '0b7d3c4e-9a8f-4e21-b5d6-7c8e9f0a1b2c';

/**
 * The events and topics of the four services this test runs. A service added with
 * `npm run generate:service` is not in this platform copy; its own tests cover its events.
 */
export const SAGA_EVENTS = EVENTS.filter((event) => isSagaService(event.topic.producer));
export const SAGA_TOPICS = Object.values(TOPICS).filter((topic) => isSagaService(topic.producer));

/** A valid payload of every event type of the saga: the base of the one-field-wrong payloads. */
export const EXAMPLES: Readonly<Record<string, Record<string, unknown>>> = {
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
export type Outcome = PoisonReason | 'skipped';

/** The kinds of poison record the fuzz sends: each must be sent at least once in a run. */
export const KINDS = [
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
export interface Draft {
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
export interface FuzzRecord extends Draft {
  readonly probe: string;
  /** Logical topic name (without the platform's prefix). */
  readonly topic: string;
  readonly key: Buffer | null;
  readonly expected: Partial<Record<ServiceName, Outcome>>;
}
