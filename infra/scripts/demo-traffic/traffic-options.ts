import { parseFlags } from '../cli-flags';

/** The most orders per second `demo:traffic` places: beyond it, it measures the laptop, not the saga. */
export const MAX_RATE = 200;
/** The longest run in seconds: a demo, not a soak test. */
export const MAX_DURATION_S = 600;
/** The longest wait for the orders to settle after the last one was placed. */
export const MAX_SETTLE_TIMEOUT_S = 600;

/** What `npm run demo:traffic` is asked to do. */
export interface TrafficOptions {
  /** Orders placed per second (open loop: on schedule, whatever the answers' latency). */
  readonly rate: number;
  /** How long to place orders, in seconds. */
  readonly durationS: number;
  /** The order service's base URL; its host is always this machine. */
  readonly orderUrl: string;
  /** Seed of the random mix: the same seed places the same orders in the same order. */
  readonly seed: number;
  /** How long to wait, after placing, for every order to settle, in seconds. */
  readonly settleTimeoutS: number;
}

const USAGE =
  'usage: npm run demo:traffic -- [--rate <orders/s ≤ 200>] [--duration <s ≤ 600>] ' +
  '[--order-url http://127.0.0.1:3001] [--seed <n>] [--settle-timeout <s ≤ 600>]';

/** Hosts the traffic may go to: this machine only, so a typo cannot load someone else's service. */
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Parses the command line (defaults: 20 orders/s for 60 s against the demo's order service). */
export function parseTrafficArgs(args: readonly string[]): TrafficOptions {
  const values = parseFlags(
    args,
    {
      rate: { type: 'string', default: '20' },
      duration: { type: 'string', default: '60' },
      'order-url': { type: 'string', default: process.env.ORDER_URL || 'http://127.0.0.1:3001' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      'settle-timeout': { type: 'string', default: '60' },
    },
    USAGE,
  );
  return {
    rate: bounded('--rate', values.rate, 0, MAX_RATE),
    durationS: bounded('--duration', values.duration, 0, MAX_DURATION_S),
    orderUrl: localUrl(values['order-url']),
    seed: bounded('--seed', values.seed, 0, 2 ** 32 - 1, true),
    settleTimeoutS: bounded('--settle-timeout', values['settle-timeout'], 0, MAX_SETTLE_TIMEOUT_S),
  };
}

/** A number in `(min, max]` (or `[min, max]` integers for `integer`), or an error naming the flag. */
function bounded(flag: string, raw: string | undefined, min: number, max: number, integer = false): number {
  const value = Number(raw);
  const ok = integer
    ? Number.isInteger(value) && value >= min && value <= max
    : Number.isFinite(value) && value > min && value <= max;
  if (!ok || raw?.trim() === '') {
    const range = integer ? `an integer from ${min} to ${max}` : `a number above ${min} and at most ${max}`;
    throw new Error(`${flag} must be ${range}, not ${JSON.stringify(raw)}\n${USAGE}`);
  }
  return value;
}

/** The URL without a trailing slash, if it is http(s) on this machine; otherwise an error that says why. */
export function localUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`--order-url ${JSON.stringify(raw)} is not a URL\n${USAGE}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`--order-url must be http or https, not ${url.protocol}`);
  }
  if (!LOCAL_HOSTS.has(url.hostname)) {
    throw new Error(
      `refusing to send traffic to ${url.hostname}: demo:traffic only targets this machine ` +
        '(127.0.0.1 or localhost)',
    );
  }
  return url.href.replace(/\/+$/, '');
}
