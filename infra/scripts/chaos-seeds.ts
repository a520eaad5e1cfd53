/**
 * `npm run chaos:seeds` — the chaos run over several seeds, on one broker and on a three-node cluster,
 * one run after the other, with one table of what each found: the data (violations, lost events, orders
 * settled) apart from availability (requests answered in time, with 2xx, 4xx or 503). Writes
 * infra/results/chaos-seeds-<time>.{json,md}; exit 0 only when every run held both. See docs/reliability.md.
 *
 *   npm run chaos:seeds [-- --seeds 1-10 --brokers 1,3 --orders 600 …any option of npm run chaos]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildServices } from './build-services';
import { parseChaosArgs, type ChaosOptions } from './chaos/chaos-options';
import { formatChaosReport } from './chaos/chaos-report';
import { runChaos } from './chaos/run-chaos';
import { availabilityHeld, dataHeld, type ChaosReport } from './chaos/chaos-verdict';
import { InfraSession } from './infra-session';
import { REPO_ROOT, localDir } from './local-paths';
import { guardRun } from './chaos/run-guard';

const log = (line: string) => console.log(`[chaos:seeds] ${line}`);

/** `1-10` or `3,7,8`: at most 50 seeds. */
function parseSeeds(raw: string): number[] {
  const range = /^(\d+)-(\d+)$/.exec(raw);
  const seeds = range
    ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i)
    : raw.split(',').map(Number);
  if (seeds.length === 0 || seeds.length > 50 || seeds.some((seed) => !Number.isInteger(seed) || seed < 0))
    throw new Error(`--seeds must be a range like 1-10 or a list like 3,7,8 (at most 50), not ${raw}`);
  return seeds;
}

/** Takes `--seeds` and `--brokers 1,3` off the arguments; the rest are `npm run chaos` options. */
function splitArgs(args: string[]): { seeds: number[]; brokers: (1 | 3)[]; rest: string[] } {
  const rest = [...args];
  const take = (flag: string, fallback: string) => {
    const at = rest.indexOf(flag);
    return at < 0 ? fallback : rest.splice(at, 2)[1];
  };
  const seeds = parseSeeds(take('--seeds', '1-10'));
  const brokers = take('--brokers', '1,3')
    .split(',')
    .map((b) => {
      if (b !== '1' && b !== '3') throw new Error(`--brokers takes 1, 3 or 1,3, not ${b}`);
      return Number(b) as 1 | 3;
    });
  return { seeds, brokers, rest };
}

/** One row of the table. */
function row(report: ChaosReport): string {
  const o = report.options;
  const a = report.availability;
  const faults = `${o.kills} kills${o.brokerKills ? `, ${o.brokerKills} broker kills` : ''}, ${o.dbTerminations} cuts`;
  return [
    o.brokers,
    o.seed,
    faults,
    `${report.placed} / ${report.settled}`,
    report.violations.length,
    report.lostEvents,
    `${report.mailRedeliveries.length} (${report.notificationKills})`,
    `${a.requests}: ${a.answered['2xx']} / ${a.answered['4xx']} / ${a.answered['503']} / ${a.answered['5xx']}`,
    a.refused,
    a.timedOut,
    `${a.p99Ms} / ${a.slowestMs}`,
    `${report.settleAfterLastFaultS.toFixed(1)} s`,
    dataHeld(report) ? 'held' : '**failed**',
    availabilityHeld(report) ? 'held' : '**failed**',
  ].join(' | ');
}

const HEADER =
  '| brokers | seed | faults | placed / settled | violations | lost | e-mails re-sent (notification kills) | requests: 2xx / 4xx / 503 / other 5xx | refused (instance killed) | no answer in 5 s | answer p99 / slowest (ms) | settled after last fault | data | availability |\n' +
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |';

async function main(args: string[]): Promise<number> {
  const { seeds, brokers, rest } = splitArgs(args);
  const reports: ChaosReport[] = [];
  const failures: string[] = [];
  buildServices(false, log);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = join(REPO_ROOT, 'infra', 'results');
  /** Writes the table so far: after every run, so that an interrupted series keeps what it measured. */
  const write = () => {
    const table = [
      `Chaos runs of ${stamp}: ${rest.join(' ') || 'the default size'}, seeds ${seeds.join(', ')} on ${brokers.join(' and ')} broker(s).`,
      '',
      HEADER,
      ...reports.map((report) => `| ${row(report)} |`),
      ...failures.map((failure) => `\n${failure}`),
      '',
    ].join('\n');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `chaos-seeds-${stamp}.md`), table);
    writeFileSync(
      join(out, `chaos-seeds-${stamp}.json`),
      `${JSON.stringify({ args, reports, failures }, null, 2)}\n`,
    );
    return table;
  };
  let session: InfraSession | undefined;
  const guard = guardRun('chaos:seeds', () => session);
  for (const size of brokers) {
    session = new InfraSession(process.env, { brokers: size });
    try {
      const { brokers: addresses } = await session.open();
      guard.opened();
      process.env.KAFKA_BROKERS = addresses.join(',');
      for (const seed of seeds) {
        const options: ChaosOptions = parseChaosArgs([
          ...rest,
          '--brokers',
          String(size),
          '--seed',
          String(seed),
        ]);
        log(`seed ${seed} on ${size} broker(s)…`);
        const logDir = join(localDir(), 'chaos', `seeds-${stamp}`, `b${size}-s${seed}`);
        try {
          const report = await runChaos(options, {
            brokerNodes: session.nodes,
            restartBroker: guard.restartBroker,
            logDir,
            log: () => undefined,
          });
          reports.push(report);
          console.log(formatChaosReport(report));
          write();
        } catch (error) {
          failures.push(`seed ${seed} on ${size} broker(s): the run failed: ${(error as Error).message}`);
          log(failures.at(-1)!);
          write();
        }
      }
    } finally {
      await guard.close();
    }
  }
  console.log(`\n${write()}`);
  log(`Written to infra/results/chaos-seeds-${stamp}.{md,json}`);
  const held = failures.length === 0 && reports.every((r) => dataHeld(r) && availabilityHeld(r));
  return held ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[chaos:seeds] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
