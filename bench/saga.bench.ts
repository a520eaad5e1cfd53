/**
 * `npm run bench` — the order saga end to end, against floors measured in the same run, on the same
 * broker and database (docs/performance.md):
 *
 * 1. for each variant — the raw floor (bench/raw: pg + kafkajs, no framework), the platform, and the
 *    platform built unsafe (`SAGA_UNSAFE_DIRECT_PUBLISH`: no outbox, no inbox) — an open-loop load
 *    generator finds the highest sustainable arrival rate (every order terminal and every e-mail sent
 *    within 2 s of the last arrival, p99 POST accepted → terminal ≤ 150 ms), then measures latency at
 *    50 % of it; CPU and RSS of the four services, the broker and PostgreSQL are sampled meanwhile;
 * 2. the relay draining an outbox backlog against a raw kafkajs `sendBatch` of the same rows;
 * 3. writes bench/results/saga-<time>.{json,md,svg} and bench/results/latest.{md,svg}.
 *
 *   npm run bench [-- --quick] [--variants raw,platform,unsafe] [--out <folder>] [--profile <folder>]
 *   npm run bench -- --overload-at <rate>
 *   npm run bench -- [--relay notify|wal] [--own-server] --out <folder>
 *   npm run bench -- --variants raw,platform,platform-wal --out <folder>
 * `--profile` runs every service with `node --cpu-prof` into that folder (see `npm run bench:profile`).
 * `--overload-at` runs only the platform's overload trial, at that rate, and prints its verdict (nothing is
 * written to bench/results): for tuning the admission gate, not for figures. It warms up for
 * 2 × BENCH_WARMUP_S at half the rate first; BENCH_WARMUP_S=15 gives the pools and the broker 30 s.
 * `--quick` is a smoke run (seconds-long trials, two of them; bench/results/latest.* is left alone).
 * `--relay wal` runs the platform variants with the WAL relay; it and `--own-server` run every variant on a
 * PostgreSQL cluster the run starts (`wal_level=logical`, fsync on) and removes: both relay modes are then
 * compared on the same kind of server. Such runs leave bench/results/latest.* alone too.
 * The `platform-wal` variant runs the platform with the WAL relay beside the others, in the same run, on
 * the run's server (the checkout's own has `wal_level=logical`): both relay modes against one raw floor.
 * Env: BENCH_TRIAL_S (10), BENCH_LATENCY_S (30), BENCH_START_RATE (50), BENCH_MAX_RATE (2000),
 * BENCH_MAX_TRIALS (9), BENCH_OVERLOAD_S (20: the platform at twice its highest rate), BENCH_RELAY_ROWS (100000, as bench:relay: a drain must be long beside the relay's start), BENCH_RELAY_ROUNDS (3: medians).
 */
import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { relayServer, type RelayServer } from '../infra/scripts/relay-server';
import { createTestDatabase } from '@saga/test-kit';
import { createTestDataSource } from '@saga/testing';
import { buildServices } from '../infra/scripts/build-services';
import { InfraSession } from '../infra/scripts/infra-session';
import { brokerSettings, runningBrokerPid } from '../infra/scripts/kafka-broker';
import { localDir } from '../infra/scripts/local-paths';
import { compareDrains } from './relay-drain';
import { benchOptions, DEFAULT_RESULTS, type BenchOptions } from './saga/bench-options';
import { writeBenchSeed } from './saga/bench-seed';
import { OVERLOAD, runOverloadTrial } from './saga/overload';
import { findMaxRate } from './saga/rate-search';
import { markdownReport, ratiosOf, svgChart, type BenchReport, type VariantResult } from './saga/report';
import { allowWalVariant, startPlatformTarget, startRawTarget, type TargetSetup } from './saga/targets';
import { runTrial, type BenchTarget, type TrialResult } from './saga/trial';

const log = (line: string) => console.log(`[bench] ${line}`);

type Options = BenchOptions;

/** Runs tasks one at a time, in the order they ask: the variants' trials take turns on the machine. */
function serialiser(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * Searches a variant's highest sustainable rate, then runs the latency measurement at half of it. A rate
 * that fails is tried once more before it counts as failed: one GC pause or rebalance in ten seconds is
 * noise on this machine, a backlog that grows fails twice. Every trial waits its turn on `turn`.
 */
async function measure(
  target: BenchTarget,
  options: Options,
  turn: ReturnType<typeof serialiser>,
): Promise<VariantResult> {
  const trials: TrialResult[] = [];
  const trial = async (rate: number, durationS = options.trialS) => {
    const result = await turn(() =>
      runTrial(target, rate, { durationS, warmupS: options.warmupS, drainTimeoutMs: 10_000, log }),
    );
    trials.push(result);
    return result;
  };
  const confirmed = async (rate: number) => {
    const first = await trial(rate);
    return first.sustainable ? first : trial(rate);
  };
  // A first trial warms the JIT, the connection pools and the consumer groups; it is not counted.
  await turn(() => warmUp(target, options.startRate, options));
  const search = await findMaxRate(confirmed, {
    startRate: options.startRate,
    maxRate: options.maxRate,
    resolution: 0.1,
    maxTrials: options.maxTrials,
  });
  const half = Math.max(1, Math.round(search.maxRate / 2));
  const atHalf = search.maxRate > 0 ? await trial(half, options.latencyS) : undefined;
  // The platform past its capacity: twice the highest sustainable rate must be answered, not timed out.
  const overload =
    target.name === 'platform' && search.maxRate > 0 && options.overloadS > 0
      ? await turn(() =>
          runOverloadTrial(target, OVERLOAD.factor * search.maxRate, { durationS: options.overloadS, log }),
        )
      : undefined;
  return { name: target.name, maxRate: search.maxRate, atMax: search.best, atHalf, trials, overload };
}

/** A trial that is not counted: it warms the JIT, the connection pools and the consumer groups. */
function warmUp(target: BenchTarget, rate: number, options: Options): Promise<TrialResult> {
  return runTrial(target, rate, { durationS: options.warmupS * 2, warmupS: 0, drainTimeoutMs: 10_000, log });
}

/** Where a run's services log (under .local/bench/), and how its variants start. */
function benchSetup(
  options: Options,
  extraEnv: Readonly<Record<string, string>> = {},
): { folder: string; setup: TargetSetup } {
  const folder = join(localDir(), 'bench', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(folder, { recursive: true });
  const settings = brokerSettings();
  const setup: TargetSetup = {
    seedFile: writeBenchSeed(folder),
    logDir: folder,
    brokerPid: () => runningBrokerPid(settings),
    extraEnv,
    nodeArgs: options.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(options.profile)}`] : undefined,
  };
  return { folder, setup };
}

/** `--overload-at`: the platform's overload trial alone, after a warm-up; its verdict is printed only. */
async function overloadOnly(
  rate: number,
  options: Options,
  targets: BenchTarget[],
  extraEnv: Readonly<Record<string, string>>,
): Promise<void> {
  const { folder, setup } = benchSetup(options, extraEnv);
  try {
    const target = await startPlatformTarget('platform', setup);
    targets.push(target);
    await warmUp(target, Math.ceil(rate / 2), options);
    const result = await runOverloadTrial(target, rate, { durationS: options.overloadS, log });
    console.log(JSON.stringify(result, null, 2));
    log(`the services' logs are in ${folder}`);
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
  }
}

async function main(args: string[]): Promise<void> {
  const options = benchOptions(args);
  const session = new InfraSession();
  const targets: BenchTarget[] = [];
  // Ctrl+C (or a SIGTERM) stops what the run started: the variants' processes, their copies, the broker.
  const interrupt = () =>
    void Promise.allSettled(targets.map((target) => target.stop()))
      .then(() => session.close())
      .finally(() => process.exit(130));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  let server: RelayServer | undefined;
  try {
    await session.open();
    server = await relayServer(options.relay, {
      own: options.ownServer,
      label: 'bench',
      settings: { fsync: 'on' },
    });
    if (server.server === 'own') log(`PostgreSQL: a cluster of the run's own, ${options.relay} relay`);
    if (options.variants.includes('platform-wal')) await allowWalVariant();
    buildServices(false, log);
    if (options.overloadAt !== undefined)
      return await overloadOnly(options.overloadAt, options, targets, server.env);
    const { folder, setup } = benchSetup(options, server.env);
    // Every variant runs at once (idle but for its own trials), and their trials take turns: each rate is
    // tried on each variant under the same conditions, minutes apart at most.
    let variants: VariantResult[];
    try {
      for (const variant of options.variants) {
        log(`Starting the ${variant} variant…`);
        targets.push(
          variant === 'raw' ? await startRawTarget(setup) : await startPlatformTarget(variant, setup),
        );
      }
      const turn = serialiser();
      variants = await Promise.all(targets.map((target) => measure(target, options, turn)));
    } finally {
      await Promise.all(targets.map((target) => target.stop()));
    }
    log(
      `Relay drain: ${options.relayRows} rows, raw sendBatch and the relay, ${options.relayRounds} rounds…`,
    );
    const database = await createTestDatabase('bench_relay');
    const dataSource = await createTestDataSource(database.url);
    const drains = await compareDrains(dataSource, database.url, {
      rows: options.relayRows,
      batch: 500,
      rounds: options.relayRounds,
    }).finally(async () => {
      await dataSource.destroy();
      await database.drop();
    });
    const relay = {
      rows: options.relayRows,
      rawPerSecond: Math.round(drains.rawPerSecond),
      relayPerSecond: Math.round(drains.relayPerSecond),
      rawRounds: drains.rawRounds,
      relayRounds: drains.relayRounds,
    };
    const report: BenchReport = {
      at: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      options: Object.fromEntries(Object.entries(options).filter(([, v]) => typeof v === 'number')) as Record<
        string,
        number
      >,
      variants,
      relay,
      ratios: ratiosOf(variants, relay),
      database: { relay: options.relay, server: server.server },
    };
    const results = options.out;
    mkdirSync(results, { recursive: true });
    const stamp = report.at.replace(/[:.]/g, '-');
    const markdown = markdownReport(report);
    writeFileSync(join(results, `saga-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(results, `saga-${stamp}.md`), markdown);
    writeFileSync(join(results, `saga-${stamp}.svg`), svgChart(report));
    // bench/results/latest.* is the run README cites: a run written elsewhere (`--out`) leaves it alone.
    if (!options.quick && server.server === 'machine' && resolve(results) === DEFAULT_RESULTS) {
      writeFileSync(join(results, 'latest.md'), markdown);
      writeFileSync(join(results, 'latest.svg'), svgChart(report));
    }
    console.log(markdown);
    log(`Written to ${join(results, `saga-${stamp}.*`)}; the services' logs are in ${folder}`);
  } finally {
    await server?.restore();
    await session.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
