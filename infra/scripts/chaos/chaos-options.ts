import { integerFlag, parseFlags } from '../cli-flags';

/** What `npm run chaos` is asked to do. Every count and duration is bounded: the run stops by itself. */
export interface ChaosOptions {
  /** Orders placed in all, open loop. */
  readonly orders: number;
  /** Orders placed per second, on schedule whatever the answers' latency. */
  readonly rate: number;
  /** Instances of every service (same consumer group). */
  readonly instances: number;
  /** Kafka nodes: 1, or a local three-node cluster. */
  readonly brokers: 1 | 3;
  /** `kill -9` of a random service instance, each followed by its restart. */
  readonly kills: number;
  /** `kill -9` of a random broker node and its restart (cluster only). */
  readonly brokerKills: number;
  /** `pg_terminate_backend` of every connection of a random service's database. */
  readonly dbTerminations: number;
  /** Re-productions of the saga topics' records so far (a sample of each). */
  readonly duplicateBursts: number;
  /** Poison records injected: each kind (garbage bytes, wrong schema, unknown type, missing headers) on each topic. */
  readonly poison: boolean;
  /** How long to wait for the platform to settle after the traffic, in seconds. */
  readonly settleTimeoutS: number;
  /** Seed of the traffic mix and of the fault schedule: the same seed plays the same run. */
  readonly seed: number;
  /**
   * How the services publish their outboxes (`OUTBOX_RELAY`): `notify`, or `wal` on a PostgreSQL cluster
   * of the run's own with `wal_level=logical` (its slots and the run's faults stay out of
   * the checkout's databases).
   */
  readonly relay: 'notify' | 'wal';
}

export const CHAOS_DEFAULTS = {
  orders: 2000,
  rate: 20,
  instances: 2,
  brokers: 1,
  kills: 6,
  dbTerminations: 3,
  duplicateBursts: 2,
  settleTimeoutS: 300,
} as const;

const LIMITS = { orders: 20_000, rate: 200, instances: 4, faults: 50, settleTimeoutS: 1800 } as const;

const USAGE =
  'usage: npm run chaos -- [--orders <n ≤ 20000>] [--rate <orders/s ≤ 200>] [--instances <1–4>] [--brokers 1|3]\n' +
  '         [--kills <n>] [--broker-kills <n>] [--db-terminations <n>] [--duplicate-bursts <n>] [--no-poison]\n' +
  '         [--settle-timeout <s>] [--seed <n>] [--relay notify|wal]';

/** Parses the command line; the defaults are the full-size run of docs/reliability.md. */
export function parseChaosArgs(args: readonly string[]): ChaosOptions {
  const values = parseFlags(
    args,
    {
      orders: { type: 'string', default: String(CHAOS_DEFAULTS.orders) },
      rate: { type: 'string', default: String(CHAOS_DEFAULTS.rate) },
      instances: { type: 'string', default: String(CHAOS_DEFAULTS.instances) },
      brokers: { type: 'string', default: String(CHAOS_DEFAULTS.brokers) },
      kills: { type: 'string', default: String(CHAOS_DEFAULTS.kills) },
      'broker-kills': { type: 'string' },
      'db-terminations': { type: 'string', default: String(CHAOS_DEFAULTS.dbTerminations) },
      'duplicate-bursts': { type: 'string', default: String(CHAOS_DEFAULTS.duplicateBursts) },
      'no-poison': { type: 'boolean', default: false },
      'settle-timeout': { type: 'string', default: String(CHAOS_DEFAULTS.settleTimeoutS) },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      relay: { type: 'string', default: 'notify' },
    },
    USAGE,
  );
  const brokers = integerFlag('--brokers', values.brokers, 1, 3, USAGE);
  if (brokers !== 1 && brokers !== 3) throw new Error(`--brokers must be 1 or 3, not ${brokers}\n${USAGE}`);
  const brokerKills = integerFlag(
    '--broker-kills',
    values['broker-kills'] ?? (brokers === 3 ? '2' : '0'),
    0,
    LIMITS.faults,
    USAGE,
  );
  const relay = values.relay;
  if (relay !== 'notify' && relay !== 'wal') {
    throw new Error(`--relay must be notify or wal, not ${JSON.stringify(relay)}\n${USAGE}`);
  }
  if (brokerKills > 0 && brokers === 1) {
    throw new Error(`--broker-kills needs --brokers 3: a single broker's death stops the platform\n${USAGE}`);
  }
  return {
    orders: integerFlag('--orders', values.orders, 1, LIMITS.orders, USAGE),
    rate: number('--rate', values.rate, LIMITS.rate),
    instances: integerFlag('--instances', values.instances, 1, LIMITS.instances, USAGE),
    brokers,
    kills: integerFlag('--kills', values.kills, 0, LIMITS.faults, USAGE),
    brokerKills,
    dbTerminations: integerFlag('--db-terminations', values['db-terminations'], 0, LIMITS.faults, USAGE),
    duplicateBursts: integerFlag('--duplicate-bursts', values['duplicate-bursts'], 0, LIMITS.faults, USAGE),
    poison: values['no-poison'] !== true,
    settleTimeoutS: number('--settle-timeout', values['settle-timeout'], LIMITS.settleTimeoutS),
    seed: integerFlag('--seed', values.seed, 0, 2 ** 32 - 1, USAGE),
    relay,
  };
}

function number(flag: string, raw: unknown, max: number): number {
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new Error(
      `${flag} must be a number above 0 and at most ${max}, not ${JSON.stringify(raw)}\n${USAGE}`,
    );
  }
  return value;
}
