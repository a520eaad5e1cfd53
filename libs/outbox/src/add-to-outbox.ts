import type { EntityManager } from 'typeorm';
import { toKafkaRecord, type EventEnvelope } from '@saga/contracts';
import { OUTBOX_CHANNEL } from './outbox-channel';

/**
 * Adds events to the outbox **in the caller's transaction**: pass the transaction's manager, so the
 * events are published if and only if the business change commits. One INSERT for all the events, and
 * a NOTIFY that PostgreSQL delivers at commit, which wakes the relay at once (no poll on the hot path).
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
  const values: unknown[] = [];
  const rows = events.map((event, index) => {
    const record = toKafkaRecord(event);
    values.push(event.id, event.type, record.topic, record.key, record.headers, record.value);
    const p = index * 6;
    return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6})`;
  });
  await manager.query(
    `INSERT INTO outbox (event_id, event_type, topic, record_key, headers, payload) VALUES ${rows.join(', ')}`,
    values,
  );
  await manager.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
}
