/**
 * The outbox drain measured two ways on one broker and database: our relay against a raw kafkajs
 * `sendBatch` of the same rows. Used by `npm run bench:relay` and by `npm run bench`.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Partitioners, type Message } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { OrderPlacedV1, createEvent } from '@saga/contracts';
import { addToOutbox, outboxBacklog, OutboxRelay, WalOutboxRelay } from '@saga/outbox';
import { waitFor } from '@saga/common';
import { createTestTopic, testKafka } from '@saga/test-kit';
import { median } from './saga/latency-summary';

export const kafka = testKafka('bench');
export const quiet = {
  log: () => undefined,
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};

/** Fills the outbox with `rows` OrderPlaced events on `topic` over 1,000 keys, 1,000 rows a statement. */
export async function fillOutbox(dataSource: DataSource, topic: string, rows: number): Promise<void> {
  const keys = Array.from({ length: 1000 }, () => randomUUID());
  for (let done = 0; done < rows; done += 1000) {
    const events = Array.from({ length: Math.min(1000, rows - done) }, (_, i) => ({
      ...createEvent(
        OrderPlacedV1,
        {
          orderId: keys[(done + i) % keys.length],
          customerId: 'bench',
          items: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: 1299 }],
          totalCents: 1299,
          currency: 'EUR',
        },
        { source: 'order' },
      ),
      topic,
    }));
    await dataSource.transaction((manager) => addToOutbox(manager, ...events));
  }
}

/** The floor: the same rows, read once up front, sent with kafkajs sendBatch only. */
export async function rawDrain(dataSource: DataSource, topic: string, batch: number): Promise<number> {
  const rows: { record_key: string; headers: Record<string, string>; payload: string }[] =
    await dataSource.query('SELECT record_key, headers, payload FROM outbox ORDER BY id');
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const started = performance.now();
  for (let offset = 0; offset < rows.length; offset += batch) {
    const messages: Message[] = rows
      .slice(offset, offset + batch)
      .map((row) => ({ key: row.record_key, value: row.payload, headers: row.headers }));
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return rows.length / seconds;
}

/** The relay of a mode: the polling one (`notify`) or the one that reads the WAL. */
export function benchRelay(
  mode: 'notify' | 'wal',
  url: string,
  options: { batch: number; retentionMs?: number; name?: string },
): OutboxRelay | WalOutboxRelay {
  const Relay = mode === 'wal' ? WalOutboxRelay : OutboxRelay;
  return new Relay({
    databaseUrl: url,
    kafka,
    name: options.name ?? 'bench-relay',
    batchSize: options.batch,
    retentionMs: options.retentionMs,
    logger: quiet,
  });
}

/** Drops the WAL relay's slots (none is streamed between the bench's rounds). */
export async function dropOutboxSlots(dataSource: DataSource): Promise<void> {
  await dataSource.query(
    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'saga_outbox_%'",
  );
}

/**
 * Before the WAL relay's round: a fresh slot on an empty outbox (made by a relay that starts, finds
 * nothing to publish, and stops), so the rows added next are read from the WAL, not from the table.
 */
export async function freshSlot(dataSource: DataSource, url: string): Promise<void> {
  await dropOutboxSlots(dataSource);
  const relay = benchRelay('wal', url, { batch: 500, name: 'bench-slot' });
  await relay.start();
  await waitFor(() => (relay.status().role === 'leader' && relay.status().idle) || undefined, {
    timeoutMs: 30_000,
    what: 'the WAL relay to make its slot',
  });
  await relay.stop();
}

/**
 * The relay draining the backlog: read, send, mark (or, with `retentionMs` 0, delete), until every row
 * is sent and acknowledged; in `wal` mode, read from the slot, send, delete, confirm.
 */
export async function relayDrain(
  dataSource: DataSource,
  url: string,
  options: { retentionMs: number; rows: number; batch: number; mode?: 'notify' | 'wal' },
): Promise<number> {
  const { retentionMs, rows: ROWS, batch: BATCH } = options;
  const relay = benchRelay(options.mode ?? 'notify', url, { batch: BATCH, retentionMs });
  const started = performance.now();
  await relay.start();
  // Every row sent and acknowledged, as for the raw run (the last batch's mark may still be running).
  await waitFor(() => relay.status().published >= ROWS || undefined, {
    timeoutMs: 600_000,
    intervalMs: 5,
    what: 'the backlog to drain',
  });
  const seconds = (performance.now() - started) / 1000;
  await relay.stop();
  const left = await outboxBacklog(dataSource);
  if (left.size !== 0) throw new Error(`${left.size} rows left unpublished after the drain`);
  return ROWS / seconds;
}

/**
 * Drains of each kind on a fresh outbox and topic (the relay with rows deleted on publish, the default),
 * `rounds` times with the order swapped every round: the medians of the raw `sendBatch` and of the relay,
 * in events/s, and every round's figures.
 */
export async function compareDrains(
  dataSource: DataSource,
  url: string,
  options: { rows: number; batch: number; rounds: number },
): Promise<{ rawPerSecond: number; relayPerSecond: number; rawRounds: number[]; relayRounds: number[] }> {
  const { rows, batch, rounds } = options;
  const drain = async (run: (topic: string) => Promise<number>) => {
    const topic = await createTestTopic('bench-drain', 6);
    await dataSource.query('TRUNCATE outbox');
    await fillOutbox(dataSource, topic.name, rows);
    try {
      return await run(topic.name);
    } finally {
      await topic.remove();
    }
  };
  const raw = () => drain((topic) => rawDrain(dataSource, topic, batch));
  const relay = () => drain(() => relayDrain(dataSource, url, { retentionMs: 0, rows, batch }));
  const rawRounds: number[] = [];
  const relayRounds: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      rawRounds.push(await raw());
      relayRounds.push(await relay());
    } else {
      relayRounds.push(await relay());
      rawRounds.push(await raw());
    }
  }
  return {
    rawPerSecond: median(rawRounds),
    relayPerSecond: median(relayRounds),
    rawRounds: rawRounds.map(Math.round),
    relayRounds: relayRounds.map(Math.round),
  };
}
