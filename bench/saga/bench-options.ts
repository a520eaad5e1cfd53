import { join } from 'node:path';
import { PLATFORM_VARIANTS, type PlatformVariant } from './targets';

/** Where `npm run bench` writes its results, and README's `latest.*`. */
export const DEFAULT_RESULTS = join(__dirname, '..', 'results');

/** `npm run bench`'s flags and `BENCH_*` settings (saga.bench.ts's header lists them); `--quick` shortens all. */
export function benchOptions(args: string[]) {
  const quick = args.includes('--quick');
  const number = (name: string, full: number, short: number) =>
    Number(process.env[name] ?? (quick ? short : full));
  const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const variants = (value('--variants') ?? 'raw,platform,unsafe').split(',');
  for (const variant of variants) {
    if (variant !== 'raw' && !(variant in PLATFORM_VARIANTS))
      throw new Error(
        `--variants: unknown variant ${variant} (raw, ${Object.keys(PLATFORM_VARIANTS).join(', ')})`,
      );
  }
  const relay = (['notify', 'wal'] as const).find((mode) => mode === (value('--relay') ?? 'notify'));
  if (!relay) throw new Error(`--relay: notify or wal, not ${value('--relay')}`);
  const overloadAt = value('--overload-at');
  if (overloadAt !== undefined && !(Number(overloadAt) > 0))
    throw new Error(`--overload-at: expected orders per second, got ${overloadAt}`);
  return {
    quick,
    relay,
    ownServer: args.includes('--own-server'),
    overloadAt: overloadAt === undefined ? undefined : Number(overloadAt),
    out: value('--out') ?? DEFAULT_RESULTS,
    profile: value('--profile'),
    variants: variants as ('raw' | PlatformVariant)[],
    trialS: number('BENCH_TRIAL_S', 10, 3),
    latencyS: number('BENCH_LATENCY_S', 30, 3),
    warmupS: number('BENCH_WARMUP_S', 2, 1),
    startRate: number('BENCH_START_RATE', 50, 20),
    maxRate: number('BENCH_MAX_RATE', 2000, 40),
    maxTrials: number('BENCH_MAX_TRIALS', 9, 2),
    relayRows: number('BENCH_RELAY_ROWS', 100_000, 2_000),
    relayRounds: number('BENCH_RELAY_ROUNDS', 3, 1),
    overloadS: number('BENCH_OVERLOAD_S', 20, 3),
  };
}

export type BenchOptions = ReturnType<typeof benchOptions>;
