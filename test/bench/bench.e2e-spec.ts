import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { MachineLock } from '@saga/test-kit';
import { brokerSettings, runningBrokerPid } from '../../infra/scripts/kafka-broker';
import { buildServices } from '../../infra/scripts/build-services';
import { REPO_ROOT } from '../../infra/scripts/local-paths';
import { writeBenchSeed } from '../../bench/saga/bench-seed';
import type { BenchReport } from '../../bench/saga/report';
import { startPlatformTarget, startRawTarget, type TargetSetup } from '../../bench/saga/targets';
import { runTrial, type BenchTarget } from '../../bench/saga/trial';

/** Counts rows of a service's database of `target` (its URL is the one the trial reads). */
async function count(url: string, sql: string): Promise<number> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    return Number((await pool.query<{ n: string }>(sql)).rows[0].n);
  } finally {
    await pool.end();
  }
}

describe('npm run bench (real broker, database and services)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'saga-bench-'));
  let setup: TargetSetup;
  let machine: MachineLock | undefined;

  // The trial waits for a quiet machine; no other heavy test (the template test) loads it meanwhile.
  beforeAll(async () => {
    machine = await MachineLock.acquire('bench');
    buildServices(false, () => undefined);
    setup = {
      seedFile: writeBenchSeed(folder),
      logDir: folder,
      brokerPid: () => runningBrokerPid(brokerSettings()),
    };
  }, 15 * 60_000);

  afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
    await machine?.release();
  });

  const trial = (target: BenchTarget) =>
    runTrial(target, 10, { durationS: 2, warmupS: 0, drainTimeoutMs: 30_000, log: () => undefined });

  it('drives the raw floor through the whole saga: every order confirmed, charged, reserved and e-mailed', async () => {
    // Arrange
    const target = await startRawTarget(setup);
    try {
      // Act
      const result = await trial(target);

      // Assert: what the saga did. Latency and drain time are the bench's to report (npm run bench);
      // a test with 20 samples, whose p99 is its slowest order, would only measure the machine's noise.
      expect({ errors: result.errors, unfinished: result.unfinished }).toEqual({ errors: {}, unfinished: 0 });
      expect(result.latency.count).toBe(20);
      expect(result.latency.p99Ms).toBeGreaterThan(0);
      expect(
        await count(target.databaseUrls.order, "SELECT count(*) AS n FROM orders WHERE status = 'CONFIRMED'"),
      ).toBe(20);
      expect(
        await count(
          target.databaseUrls.payment,
          "SELECT count(*) AS n FROM account_entries WHERE kind = 'CHARGE'",
        ),
      ).toBe(20);
      expect(
        await count(
          target.databaseUrls.inventory,
          "SELECT count(*) AS n FROM reservations WHERE status = 'RESERVED'",
        ),
      ).toBe(20);
      expect(
        await count(
          target.databaseUrls.notification,
          "SELECT count(*) AS n FROM notifications WHERE status = 'SENT'",
        ),
      ).toBe(20);
      expect(result.usage.order.cpuPercent).toBeGreaterThan(0);
      expect(result.usage.kafka.maxRssMiB).toBeGreaterThan(0);
    } finally {
      await target.stop();
    }
  });

  it('builds the unsafe baseline: orders confirmed with no outbox row and no inbox entry ever written', async () => {
    // Arrange
    const target = await startPlatformTarget('unsafe', setup);
    try {
      // Act
      const result = await trial(target);

      // Assert
      expect({ errors: result.errors, unfinished: result.unfinished }).toEqual({ errors: {}, unfinished: 0 });
      expect(
        await count(target.databaseUrls.order, "SELECT count(*) AS n FROM orders WHERE status = 'CONFIRMED'"),
      ).toBe(20);
      for (const service of ['order', 'payment', 'inventory', 'notification'] as const) {
        expect(await count(target.databaseUrls[service], 'SELECT count(*) AS n FROM inbox')).toBe(0);
        // The identity's sequence counts every outbox row ever inserted, also those deleted on publish.
        const everInserted = 'SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM outbox_id_seq';
        expect(await count(target.databaseUrls[service], everInserted)).toBe(0);
      }
    } finally {
      await target.stop();
    }
  });

  it('writes the report as JSON, markdown and SVG (a --quick run of the raw floor)', () => {
    // Act
    const out = join(folder, 'results');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/saga.bench.ts', '--quick', '--variants', 'raw', '--out', out],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 240_000,
      },
    );

    // Assert
    expect({ status: run.status, stderr: run.stderr.slice(-2000) }).toEqual({
      status: 0,
      stderr: expect.any(String),
    });
    const files = readdirSync(out);
    const json = files.find((file) => file.endsWith('.json'))!;
    const report = JSON.parse(readFileSync(join(out, json), 'utf8')) as BenchReport;
    expect(report.variants.map((v) => v.name)).toEqual(['raw']);
    expect(report.variants[0].maxRate).toBeGreaterThan(0);
    expect(report.variants[0].atHalf?.latency.count).toBeGreaterThan(0);
    expect(report.relay.rawPerSecond).toBeGreaterThan(0);
    expect(report.relay.relayPerSecond).toBeGreaterThan(0);
    expect(readFileSync(join(out, json.replace('.json', '.md')), 'utf8')).toContain('| raw |');
    expect(readFileSync(join(out, json.replace('.json', '.svg')), 'utf8')).toMatch(/^<svg/);
  });
});
