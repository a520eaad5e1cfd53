import type { DataSource, EntityManager } from 'typeorm';
import { traceparentOf } from '@saga/common';
import { eventDefinition, toKafkaRecord, type EventEnvelope } from '@saga/contracts';
import { deferToDirectPublish } from './direct-publish';
import { OUTBOX_CHANNEL } from './outbox-channel';

/** The first half of the two-int advisory lock that orders one key's outbox rows. */
const KEY_LOCK_CLASS = 7_301;

/** The data sources whose outbox the WAL relay publishes. */
const walDataSources = new WeakSet<DataSource>();

/**
 * Makes {@link addToOutbox} on `dataSource` write for the WAL relay (`OUTBOX_RELAY=wal`): a plain
 * INSERT, without the per-key locks (the WAL already orders one key's rows by commit) and without the
 * NOTIFY (the replication stream wakes the relay).
 */
export function writeOutboxForWalRelay(dataSource: DataSource): void {
  walDataSources.add(dataSource);
}

/**
 * Adds events to the outbox **in the caller's transaction**: pass the transaction's manager, so the
 * events are published if and only if the business change commits. Validates each event against its
 * contract, then one statement that takes the per-key locks (ordering the transaction after any other
 * one still adding rows of the same key), adds all the events, and queues a NOTIFY that PostgreSQL
 * delivers at commit, which wakes the relay at once (no poll on the hot path).
 *
 * Each row keeps the W3C `traceparent` the relay's publish span continues: the event's own (a handler's
 * event inherits its record's), else the span active here (the HTTP request that placed the order).
 */
export async function addToOutbox(manager: EntityManager, ...events: EventEnvelope[]): Promise<void> {
  if (events.length === 0) {
    return;
  }
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error(
      'addToOutbox needs the manager of an open transaction (dataSource.transaction(manager => …))',
    );
  }
  for (const event of events) {
    // Validation on produce, also for an envelope not built by createEvent.
    const definition = eventDefinition(event.type);
    if (!definition) throw new Error(`addToOutbox: no contract declares ${event.type}`);
    definition.schema.parse(event.data);
  }
  if (deferToDirectPublish(manager, events)) return; // the unsafe baseline of the benchmark only
  const active = traceparentOf();
  const values: unknown[] = [];
  const rows = events.map((event) => {
    const record = toKafkaRecord(event.traceparent || !active ? event : { ...event, traceparent: active });
    values.push(event.id, event.type, record.topic, record.key, record.headers, record.value);
    const p = values.length - 5;
    return `($${p}::text, $${p + 1}::text, $${p + 2}::text, $${p + 3}::text, $${p + 4}::jsonb, $${p + 5}::text)`;
  });
  const insert = `INSERT INTO outbox (event_id, event_type, topic, record_key, headers, payload)`;
  if (walDataSources.has(manager.dataSource)) {
    // The WAL relay reads committed transactions in commit order: no lock, no NOTIFY needed.
    await manager.query(`${insert} VALUES ${rows.join(', ')}`, values);
    return;
  }
  // Per-key order for the polling relay: two transactions adding rows of one key take turns, so the
  // key's rows get ids in commit order (the relay publishes in id order). Locks are taken in sorted
  // order, against deadlocks, and held to the end of the transaction; (class, hash) keys never meet the
  // relay's leader lock.
  const keys = [...new Set(events.map((event) => `${event.topic}|${event.key}`))].sort();
  // One statement, one round trip. The materialized CTE takes every key's lock (in array order) before
  // the INSERT runs: the INSERT reads its count, so it cannot start first. The NOTIFY rides along:
  // PostgreSQL delivers it only at commit, which wakes the relay at once (no poll on the hot path).
  const keysParameter = values.length + 1;
  await manager.query(
    `WITH locks AS MATERIALIZED (
       SELECT pg_advisory_xact_lock(${KEY_LOCK_CLASS}, hashtext(k)) FROM unnest($${keysParameter}::text[]) AS k
     ), inserted AS (
       ${insert}
       SELECT v.* FROM (VALUES ${rows.join(', ')}) AS v (event_id, event_type, topic, record_key, headers, payload)
       WHERE (SELECT count(*) FROM locks) = ${keys.length}
       RETURNING 1
     )
     SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM (SELECT count(*) FROM inserted) AS added`,
    [...values, keys],
  );
}
