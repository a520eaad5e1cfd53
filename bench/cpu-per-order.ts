/**
 * `npm run bench:cpu-per-order -- <saga-result.json>…` — CPU milliseconds each order cost, per process and
 * for the four services together, in every trial of the given `npm run bench` results. At a fixed rate
 * this compares two builds far more steadily than their highest rates, which one trial's p99 decides:
 * run `npm run bench` at both commits with `BENCH_START_RATE=BENCH_MAX_RATE=<rate> BENCH_MAX_TRIALS=1`
 * (docs/performance.md, "After issue 19's refactor"), alternating, and read the medians.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SERVICE_NAMES } from '@saga/contracts';

interface TrialLike {
  readonly rate: number;
  readonly sustainable: boolean;
  readonly latency: { p50Ms: number; p99Ms: number };
  readonly usage?: Record<string, { cpuPercent: number }>;
}
interface ResultLike {
  readonly variants: { name: string; trials: TrialLike[] }[];
}

/** One trial's cost: CPU ms per order per process, and the four services' sum. */
export interface TrialCost {
  readonly variant: string;
  readonly rate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly services: number;
  readonly perProcess: Record<string, number>;
}

/** CPU ms per order = CPU % × 10 (ms of CPU per second) ÷ orders per second; sustainable trials only. */
export function cpuPerOrder(result: ResultLike): TrialCost[] {
  const round = (value: number) => Math.round(value * 10) / 10;
  return result.variants.flatMap((variant) =>
    variant.trials
      .filter((trial) => trial.sustainable && trial.usage && trial.rate > 0)
      .map((trial) => {
        const perProcess = Object.fromEntries(
          Object.entries(trial.usage!).map(([name, usage]) => [
            name,
            round((usage.cpuPercent * 10) / trial.rate),
          ]),
        );
        const services = SERVICE_NAMES.reduce((sum, name) => sum + (trial.usage![name]?.cpuPercent ?? 0), 0);
        return {
          variant: variant.name,
          rate: trial.rate,
          p50Ms: trial.latency.p50Ms,
          p99Ms: trial.latency.p99Ms,
          services: round((services * 10) / trial.rate),
          perProcess,
        };
      }),
  );
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) {
    console.log(`\n${basename(file)}`);
    for (const cost of cpuPerOrder(JSON.parse(readFileSync(file, 'utf8')) as ResultLike)) {
      const processes = Object.entries(cost.perProcess)
        .map(([name, ms]) => `${name} ${ms}`)
        .join(', ');
      console.log(
        `  ${cost.variant.padEnd(8)} ${String(cost.rate).padStart(4)}/s  p50 ${cost.p50Ms} p99 ${cost.p99Ms} ms  ` +
          `services ${cost.services} CPU ms/order (${processes})`,
      );
    }
  }
}
