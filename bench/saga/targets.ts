import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@saga/contracts';
import { Client, Pool } from 'pg';
import { waitFor } from '@saga/common';
import { freePort, postgresServerUrl, testBrokers, testTokenIssuer } from '@saga/test-kit';
import { ProcessPlatform } from '@saga/testing';
import { serviceEntry } from '../../infra/scripts/build-services';
import { REPO_ROOT } from '../../infra/scripts/local-paths';
import { BENCH_SKUS, benchOrder } from './bench-seed';
import { pidsNamed, type SampledGroup } from './process-usage';
import type { BenchTarget } from './trial';

/** Where a variant runs: the seed file, a folder for logs, and the broker's pid (for sampling). */
export interface TargetSetup {
  readonly seedFile: string;
  readonly logDir: string;
  readonly brokerPid: () => number | undefined;
  /** More environment for every service (a profiling flag, a setting under test). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** Options for `node` before each service's entry point (`--cpu-prof`, for `npm run bench -- --profile`). */
  readonly nodeArgs?: readonly string[];
}

/** The broker and PostgreSQL, sampled beside every variant's four services. */
function infrastructureGroups(setup: TargetSetup): SampledGroup[] {
  return [
    { label: 'kafka', pids: () => [setup.brokerPid()].filter((pid) => pid !== undefined) },
    { label: 'postgres', pids: () => pidsNamed('postgres'), memory: 'shared' },
  ];
}

/** The order service's admission settings of the bench's own environment, passed on (for tuning them). */
function admissionSettings(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        /^ORDER_(ADMISSION_|MAX_UNSETTLED$)/.test(entry[0]) && entry[1] !== undefined,
    ),
  );
}

/** One instance of each service, from the built bundles, on a private copy (its own databases, topics). */
async function startPlatform(label: string, setup: TargetSetup, env: Record<string, string> = {}) {
  const platform = await ProcessPlatform.start({
    label,
    instances: 1,
    entry: serviceEntry,
    logDir: join(setup.logDir, label),
    nodeArgs: setup.nodeArgs,
    env: { SEED_FILE: setup.seedFile, LOG_LEVEL: 'warn', ...admissionSettings(), ...setup.extraEnv, ...env },
  });
  const order = new Pool({ connectionString: platform.databases.order.url, max: 1 });
  try {
    // The order service prices from its catalog replica: wait until it holds every product.
    await waitFor(
      async () => {
        const { rows } = await order.query<{ n: string }>('SELECT count(*) AS n FROM catalog_products');
        return Number(rows[0].n) >= BENCH_SKUS.length || undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 100,
        what: `the catalog replica of ${label} to hold the bench products`,
      },
    );
  } catch (error) {
    await platform.destroy();
    throw error;
  } finally {
    await order.end();
  }
  return platform;
}

/**
 * The bench's bearer token: an admin's of the process's test issuer, which the copies trust (it orders for
 * many customers). Every variant gets it, so each POST carries the same bytes; the raw floor ignores it.
 */
async function benchHeaders(): Promise<Record<string, string>> {
  return {
    authorization: `Bearer ${await testTokenIssuer().mint({ admin: 'bench' }, { ttlSeconds: 86_400 })}`,
  };
}

function targetOf(
  name: string,
  platform: ProcessPlatform,
  orderUrl: string,
  services: Record<ServiceName, () => number | undefined>,
  setup: TargetSetup,
  stop: () => Promise<void>,
  headers: Readonly<Record<string, string>>,
): BenchTarget {
  return {
    name,
    headers,
    ordersUrl: `${orderUrl}/orders`,
    databaseUrls: Object.fromEntries(SERVICE_NAMES.map((s) => [s, platform.databases[s].url])) as Record<
      ServiceName,
      string
    >,
    processes: [
      ...SERVICE_NAMES.map((service) => ({
        label: service,
        pids: () => [services[service]()].filter((pid) => pid !== undefined),
      })),
      ...infrastructureGroups(setup),
    ],
    order: benchOrder,
    stop,
  };
}

/** The platform variants of the bench, and what each sets beyond the run's settings. */
export const PLATFORM_VARIANTS = {
  /** The platform as it ships (its relay: the run's, `notify` unless `--relay wal`). */
  platform: {},
  /** Built for the unsafe baseline: events sent straight after commit and no inbox (docs/performance.md). */
  unsafe: { SAGA_UNSAFE_DIRECT_PUBLISH: 'true' },
  /** The platform with the WAL relay, beside `platform` in the same run, on the same server. */
  'platform-wal': { OUTBOX_RELAY: 'wal' },
} as const satisfies Record<string, Readonly<Record<string, string>>>;

export type PlatformVariant = keyof typeof PLATFORM_VARIANTS;

/** Starts one of the {@link PLATFORM_VARIANTS} on a private copy. */
export async function startPlatformTarget(
  variant: PlatformVariant,
  setup: TargetSetup,
): Promise<BenchTarget> {
  const env: Record<string, string> = { ...PLATFORM_VARIANTS[variant] };
  const platform = await startPlatform(`bench_${variant.replace('-', '_')}`, setup, env);
  const pids = Object.fromEntries(
    SERVICE_NAMES.map((service) => [service, () => platform.running(service)[0]?.child?.pid]),
  ) as Record<ServiceName, () => number | undefined>;
  return targetOf(
    variant,
    platform,
    platform.url('order'),
    pids,
    setup,
    () => platform.destroy(),
    await benchHeaders(),
  );
}

/** Starts a raw floor script and resolves once it prints `ready`. */
async function startRawScript(
  service: ServiceName,
  env: Record<string, string>,
  logFile: string,
  nodeArgs: readonly string[] = [],
): Promise<ChildProcess> {
  const log = openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join('bench', 'raw', `${service}.ts`)],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', log],
      env: { PATH: process.env.PATH, ...env },
    },
  );
  closeSync(log);
  let ready = false;
  child.stdout!.on('data', (chunk: Buffer) => (ready ||= chunk.toString().includes(`ready ${service}`)));
  await waitFor(
    () => {
      if (child.exitCode !== null)
        throw new Error(`raw ${service} exited (${child.exitCode}); see ${logFile}`);
      return ready || undefined;
    },
    { timeoutMs: 60_000, intervalMs: 50, what: `raw ${service} to be ready (log: ${logFile})` },
  );
  return child;
}

/**
 * The raw floor: the platform starts once on a private copy to make the schema, the seed and the catalog
 * replica, and stops; then the four raw scripts (bench/raw) run on the same databases, topics and consumer
 * groups, so they do the same work on the same data.
 */
export async function startRawTarget(setup: TargetSetup): Promise<BenchTarget> {
  const platform = await startPlatform('bench_raw', setup);
  await Promise.all(platform.running().map((instance) => platform.stopInstance(instance)));
  const children: Partial<Record<ServiceName, ChildProcess>> = {};
  const stop = async () => {
    await Promise.all(
      Object.values(children).map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await platform.destroy();
  };
  try {
    const port = await freePort();
    for (const service of SERVICE_NAMES) {
      children[service] = await startRawScript(
        service,
        {
          DATABASE_URL: platform.databases[service].serviceUrl,
          KAFKA_BROKERS: testBrokers().join(','),
          KAFKA_TOPIC_PREFIX: platform.topicPrefix,
          KAFKA_GROUP_ID: platform.groupId(service),
          PORT: String(port),
          SMTP_PORT: String(platform.smtp.port),
        },
        join(setup.logDir, 'bench_raw', `raw-${service}.log`),
        setup.nodeArgs,
      );
    }
    const pids = Object.fromEntries(
      SERVICE_NAMES.map((service) => [service, () => children[service]?.pid]),
    ) as Record<ServiceName, () => number | undefined>;
    return targetOf('raw', platform, `http://127.0.0.1:${port}`, pids, setup, stop, await benchHeaders());
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The `platform-wal` variant needs a server with `wal_level=logical` (said at once, before anything
 * starts), and service roles that may replicate: the roles are the server's, shared by every variant's
 * copy, so they are all made with REPLICATION (`OUTBOX_RELAY=wal` in this process, which only the role
 * provisioning reads — each variant's services get their relay from their own settings).
 */
export async function allowWalVariant(): Promise<void> {
  const client = new Client({ connectionString: postgresServerUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ wal_level: string }>('SHOW wal_level');
    if (rows[0].wal_level !== 'logical')
      throw new Error(
        `--variants platform-wal needs wal_level=logical on ${postgresServerUrl()}, which has ${rows[0].wal_level}: ` +
          "run on the checkout's own PostgreSQL (unset DATABASE_URL) or add --own-server",
      );
  } finally {
    await client.end();
  }
  process.env.OUTBOX_RELAY = 'wal';
}
