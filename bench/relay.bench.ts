/**
 * `npm run bench:relay` — the outbox relay against the floor, in one run on one broker and database:
 *
 * 1. drain: a 100,000-row outbox backlog published by the relay (read, send, mark), beside a raw
 *    kafkajs `sendBatch` of the same rows (send only, same producer settings and batch size), and the
 *    relay with retention 0 (read, send, delete); each on a fresh outbox and topic, in an order that
 *    rotates every round; events/s and the ratios relay/raw (target ≥ 0.7);
 * 2. latency: events committed one by one at a low, fixed rate with a relay running; the time from
 *    the commit returning to the record reaching a consumer (target p50 ≤ 5 ms, p99 ≤ 25 ms).
 *
 * Writes bench/results/relay-<timestamp>.json and prints a markdown table. Options (env):
 * BENCH_ROWS (100000), BENCH_ROUNDS (3), BENCH_BATCH (500), BENCH_RATE (50/s), BENCH_EVENTS (1000).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { OrderPlacedV1, createEvent } from '@saga/contracts';
import { addToOutbox, OutboxRelay } from '@saga/outbox';
import { InfraSession } from '../infra/scripts/infra';
import { fillOutbox, kafka, quiet, rawDrain, relayDrain } from './relay-drain';
import { median, percentile } from './saga/latency-summary';
import { waitFor } from '@saga/common';
import { createTestDatabase, createTestTopic } from '@saga/test-kit';
import { createTestDataSource } from '@saga/testing';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);

/** Commit-to-consume latency at a fixed low rate, with a relay running. */
async function latency(dataSource: DataSource, url: string, topic: string) {
  const committedAt = new Map<string, number>();
  const latencies: number[] = [];
  const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  await consumer.run({
    eachMessage: ({ message }) => {
      const at = committedAt.get(message.headers!.ce_id!.toString());
      if (at !== undefined) latencies.push(performance.now() - at);
      return Promise.resolve();
    },
  });
  await waitFor(() => consumer.describeGroup().then((g) => g.state === 'Stable' || undefined), {
    timeoutMs: 30_000,
    what: 'the consumer to join',
  });
  const relay = new OutboxRelay({
    databaseUrl: url,
    kafka,
    name: 'bench-latency',
    batchSize: BATCH,
    logger: quiet,
  });
  await relay.start();
  const interval = 1000 / RATE;
  const started = performance.now();
  for (let i = 0; i < EVENTS; i += 1) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait)); // open-loop pacing, not a sync
    const event = {
      ...createEvent(
        OrderPlacedV1,
        {
          orderId: randomUUID(),
          customerId: 'bench',
          items: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: 1 }],
          totalCents: 1,
          currency: 'EUR',
        },
        { source: 'order' },
      ),
      topic,
    };
    await dataSource.transaction((manager) => addToOutbox(manager, event));
    committedAt.set(event.id, performance.now());
  }
  await waitFor(() => latencies.length >= EVENTS || undefined, {
    timeoutMs: 60_000,
    what: `${EVENTS} records`,
  });
  await relay.stop();
  await consumer.disconnect();
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    events: EVENTS,
    ratePerSecond: RATE,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1]),
  };
}

async function main(): Promise<void> {
  const session = new InfraSession();
  process.on('SIGINT', () => void session.close().finally(() => process.exit(130)));
  await session.open();
  const database = await createTestDatabase('bench_relay');
  const dataSource = await createTestDataSource(database.url);
  const raw: number[] = [];
  const relay: number[] = [];
  const relayDelete: number[] = [];
  const DAY = 86_400_000;
  try {
    // Each variant drains a freshly filled outbox onto a fresh topic; the order of the three variants
    // rotates every round, so none always meets a warmer (or fuller) broker.
    const variants = [
      { results: raw, run: (topic: string) => rawDrain(dataSource, topic, BATCH) },
      {
        results: relay,
        run: () => relayDrain(dataSource, database.url, { retentionMs: DAY, rows: ROWS, batch: BATCH }),
      },
      {
        results: relayDelete,
        run: () => relayDrain(dataSource, database.url, { retentionMs: 0, rows: ROWS, batch: BATCH }),
      },
    ];
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (let turn = 0; turn < variants.length; turn += 1) {
        const variant = variants[(round - 1 + turn) % variants.length];
        const topic = await createTestTopic('bench-drain', 6);
        await dataSource.query('TRUNCATE outbox');
        await fillOutbox(dataSource, topic.name, ROWS);
        variant.results.push(await variant.run(topic.name));
        await topic.remove();
      }
      console.log(
        `round ${round}: raw ${Math.round(raw.at(-1)!)}/s, relay (keep 24 h) ${Math.round(relay.at(-1)!)}/s, ` +
          `relay (delete on publish) ${Math.round(relayDelete.at(-1)!)}/s`,
      );
    }
    const latencyTopic = await createTestTopic('bench-latency', 6);
    await dataSource.query('TRUNCATE outbox');
    const lat = await latency(dataSource, database.url, latencyTopic.name);
    await latencyTopic.remove();

    const result = {
      at: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      drain: {
        rows: ROWS,
        batch: BATCH,
        rounds: ROUNDS,
        rawPerSecond: Math.round(median(raw)),
        relayPerSecond: Math.round(median(relay)),
        ratio: Math.round((median(relay) / median(raw)) * 100) / 100,
        relayDeletePerSecond: Math.round(median(relayDelete)),
        ratioDelete: Math.round((median(relayDelete) / median(raw)) * 100) / 100,
        rawRounds: raw.map(Math.round),
        relayRounds: relay.map(Math.round),
        relayDeleteRounds: relayDelete.map(Math.round),
      },
      latency: lat,
    };
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    const file = join(__dirname, 'results', `relay-${result.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`
| measure | value | target |
|---|---|---|
| raw kafkajs sendBatch | ${result.drain.rawPerSecond} events/s | |
| relay drain, default: delete on publish (read, send, delete) | ${result.drain.relayDeletePerSecond} events/s | |
| relay / raw, default | ${result.drain.ratioDelete} | ≥ 0.7 |
| relay drain, OUTBOX_RETENTION_HOURS=24 (read, send, mark) | ${result.drain.relayPerSecond} events/s | |
| relay / raw, rows kept | ${result.drain.ratio} | |
| commit → consume p50 @ ${RATE}/s | ${lat.p50Ms} ms | ≤ 5 ms |
| commit → consume p95 | ${lat.p95Ms} ms | |
| commit → consume p99 | ${lat.p99Ms} ms | ≤ 25 ms |
| commit → consume max | ${lat.maxMs} ms | |

${ROWS} rows, batch ${BATCH}, median of ${ROUNDS} rounds; ${EVENTS} events for latency. Written to ${file}`);
  } finally {
    await dataSource.destroy();
    await database.drop();
    await session.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
