/**
 * `npm run bench:relay` — the outbox relays against the floor, in one run on one broker and one
 * PostgreSQL: a cluster of the bench's own with `wal_level=logical` (fsync on, as the default server),
 * so that both relay modes run on the same server and differ only in the relay.
 *
 * 1. drain: a 100,000-row outbox backlog published by each relay, beside a raw kafkajs `sendBatch` of
 *    the same rows (send only, same producer settings and batch size): the polling relay deleting rows
 *    on publish (the default), the polling relay keeping them 24 h (mark instead of delete), and the WAL
 *    relay (read from its slot, send, delete, confirm); each on a fresh outbox and topic, in an order
 *    that rotates every round; events/s and the ratios relay/raw;
 * 2. latency, per mode: events committed one by one at a low, fixed rate with the relay running; the
 *    time from the commit returning to the record reaching a consumer, and the SQL statements the
 *    database ran per event (writer and relay together; pg_stat_statements).
 *
 * Writes bench/results/relay-<timestamp>.json and prints a markdown table. Options (env):
 * BENCH_ROWS (100000), BENCH_ROUNDS (3), BENCH_BATCH (500), BENCH_RATE (50/s), BENCH_EVENTS (1000),
 * BENCH_RELAY_MODES (notify,wal).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { OrderPlacedV1, createEvent } from '@saga/contracts';
import { addToOutbox, writeOutboxForWalRelay } from '@saga/outbox';
import { InfraSession } from '../infra/scripts/infra-session';
import {
  benchRelay,
  dropOutboxSlots,
  fillOutbox,
  freshSlot,
  kafka,
  rawDrain,
  relayDrain,
} from './relay-drain';
import { median, percentile } from './saga/latency-summary';
import { waitFor } from '@saga/common';
import { clusterLogTail, createTestDatabase, createTestTopic, startTestCluster } from '@saga/test-kit';
import { createTestDataSource } from '@saga/testing';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
type Mode = 'notify' | 'wal';
const MODES = (process.env.BENCH_RELAY_MODES ?? 'notify,wal').split(',') as Mode[];

/** The SQL statements run in the current database since `pg_stat_statements_reset()` (this query aside). */
async function statementsRun(dataSource: DataSource): Promise<number> {
  const [{ calls }] = await dataSource.query<{ calls: number }[]>(
    `SELECT coalesce(sum(calls), 0)::float8 AS calls FROM pg_stat_statements s
       JOIN pg_database d ON d.oid = s.dbid
      WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat_statements%'`,
  );
  return calls;
}

/** Commit-to-consume latency at a fixed low rate, with a relay of `mode` running, and statements per event. */
async function latency(mode: Mode, dataSource: DataSource, url: string, topic: string) {
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
  const relay = benchRelay(mode, url, { batch: BATCH, name: 'bench-latency' });
  await relay.start();
  await waitFor(() => relay.status().idle || undefined, { timeoutMs: 30_000, what: 'the relay to idle' });
  await dataSource.query('SELECT pg_stat_statements_reset()');
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
  const statements = await statementsRun(dataSource);
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
    statementsPerEvent: round(statements / EVENTS),
  };
}

async function main(): Promise<void> {
  const session = new InfraSession();
  process.on('SIGINT', () => void session.close().finally(() => process.exit(130)));
  await session.open();
  const cluster = await startTestCluster('bench-relay', {
    fsync: 'on',
    shared_preload_libraries: "'pg_stat_statements'",
  });
  const database = await createTestDatabase('bench_relay', cluster.serverUrl);
  // One data source per writer mode: the WAL relay's writers insert without the per-key lock and NOTIFY.
  const writers = {
    notify: await createTestDataSource(database.url),
    wal: await createTestDataSource(database.url),
  };
  writeOutboxForWalRelay(writers.wal);
  const dataSource = writers.notify;
  await dataSource.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const dropSlots = () => dropOutboxSlots(dataSource);
  const DAY = 86_400_000;
  try {
    // Each variant drains a freshly filled outbox onto a fresh topic; the order of the variants rotates
    // every round, so none always meets a warmer (or fuller) broker.
    const variants = [
      {
        name: 'raw',
        mode: 'notify' as Mode,
        rounds: [] as number[],
        run: (topic: string) => rawDrain(dataSource, topic, BATCH),
      },
      {
        name: 'notify',
        mode: 'notify' as Mode,
        rounds: [] as number[],
        run: () => relayDrain(dataSource, database.url, { retentionMs: 0, rows: ROWS, batch: BATCH }),
      },
      {
        name: 'notifyKeep',
        mode: 'notify' as Mode,
        rounds: [] as number[],
        run: () => relayDrain(dataSource, database.url, { retentionMs: DAY, rows: ROWS, batch: BATCH }),
      },
      {
        name: 'wal',
        mode: 'wal' as Mode,
        rounds: [] as number[],
        run: () =>
          relayDrain(writers.wal, database.url, { retentionMs: 0, rows: ROWS, batch: BATCH, mode: 'wal' }),
      },
    ].filter((variant) => variant.name === 'raw' || MODES.includes(variant.mode));
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (let turn = 0; turn < variants.length; turn += 1) {
        const variant = variants[(round - 1 + turn) % variants.length];
        const topic = await createTestTopic('bench-drain', 6);
        await dataSource.query('TRUNCATE outbox');
        if (variant.mode === 'wal') await freshSlot(dataSource, database.url);
        else await dropSlots();
        await fillOutbox(writers[variant.mode], topic.name, ROWS);
        variant.rounds.push(await variant.run(topic.name));
        await topic.remove();
      }
      console.log(
        `round ${round}: ${variants.map((v) => `${v.name} ${Math.round(v.rounds.at(-1)!)}/s`).join(', ')}`,
      );
    }
    const latencies: Partial<Record<Mode, Awaited<ReturnType<typeof latency>>>> = {};
    for (const mode of MODES) {
      const latencyTopic = await createTestTopic('bench-latency', 6);
      await dataSource.query('TRUNCATE outbox');
      if (mode === 'wal') await freshSlot(dataSource, database.url);
      else await dropSlots();
      latencies[mode] = await latency(mode, writers[mode], database.url, latencyTopic.name);
      await latencyTopic.remove();
    }
    await dropSlots();
    const drainOf = (name: string) => variants.find((variant) => variant.name === name)?.rounds ?? [];
    const raw = median(drainOf('raw'));
    const drains = Object.fromEntries(
      variants.map((variant) => [
        variant.name,
        {
          perSecond: Math.round(median(variant.rounds)),
          ratioToRaw: Math.round((median(variant.rounds) / raw) * 100) / 100,
          rounds: variant.rounds.map(Math.round),
        },
      ]),
    );
    const result = {
      at: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      server: "a cluster of the bench's own (wal_level=logical, fsync on)",
      drain: { rows: ROWS, batch: BATCH, rounds: ROUNDS, ...drains },
      latency: latencies,
    };
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    const file = join(__dirname, 'results', `relay-${result.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    const line = (name: string, label: string) =>
      drains[name] ? `| ${label} | ${drains[name].perSecond} events/s | ${drains[name].ratioToRaw} |\n` : '';
    const lat = (mode: Mode) => {
      const l = latencies[mode];
      return l
        ? `| ${mode} | ${l.p50Ms} | ${l.p95Ms} | ${l.p99Ms} | ${l.maxMs} | ${l.statementsPerEvent} |\n`
        : '';
    };
    console.log(`
| drain | events/s | / raw |
|---|---|---|
${line('raw', 'raw kafkajs sendBatch')}${line('notify', 'polling relay, delete on publish (default)')}${line('notifyKeep', 'polling relay, rows kept 24 h')}${line('wal', 'WAL relay (slot, send, delete, confirm)')}
| commit → consume @ ${RATE}/s | p50 ms | p95 ms | p99 ms | max ms | SQL statements per event |
|---|---|---|---|---|---|
${lat('notify')}${lat('wal')}
${ROWS} rows, batch ${BATCH}, median of ${ROUNDS} rounds; ${EVENTS} events for latency. Written to ${file}`);
  } catch (error) {
    console.error(`--- the bench's PostgreSQL log ---\n${clusterLogTail(cluster)}`);
    throw error;
  } finally {
    await writers.wal.destroy();
    await dataSource.destroy();
    await database.drop();
    await cluster.remove();
    await session.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
