import type { Intent } from './traffic-mix';
import type { TrackedOrder } from './tracked-order';

/** The reason `POST /orders/:id/cancel` records when the customer gives none. */
export const CUSTOMER_CANCEL_REASON = 'cancelled by the customer';

/** What a run did, counted from what the order service answered. */
export interface TrafficSummary {
  /** The `--seed` that replays the same orders. */
  readonly seed: number;
  /** Orders the service accepted (202). */
  readonly placed: number;
  /** Placed orders per intent of the mix (what was meant; the outcomes say what happened). */
  readonly intents: Readonly<Record<Intent, number>>;
  readonly confirmed: number;
  /** Settled CANCELLED orders per outcome: `declined: <reason>`, `out of stock`, `cancelled by the customer`… */
  readonly cancelled: Readonly<Record<string, number>>;
  readonly cancellations: { readonly requested: number; readonly accepted: number; readonly refused: number };
  /** Orders not settled when the run ended (still in flight, or a cancellation still to come). */
  readonly unsettled: number;
  /** Requests that failed or got an unexpected status; `errors` shows the first few. */
  readonly httpErrors: number;
  /** `POST /orders` answered 503 "not now" (the service at capacity), then sent again after `Retry-After`. */
  readonly deferred: number;
  readonly errors: readonly string[];
  /** Time spent placing, until the last `POST /orders` answered, and the rate achieved over it. */
  readonly placingS: number;
  readonly achievedRate: number;
  /** Placed → settled (the order's own PLACED and final steps), over the settled orders. */
  readonly latencyMs?: { readonly p50: number; readonly p95: number; readonly max: number };
  /** Whether Ctrl+C (the abort signal) cut the run short. */
  readonly interrupted: boolean;
  /** Every placed order's id, in the order placed. */
  readonly orderIds: readonly string[];
}

/** The outcome an order's final status and reason stand for, as the summary counts it. */
export function outcomeOf(status: string, reason?: string | null): string {
  if (status !== 'CANCELLED') return status;
  const declined = /^payment declined: (\S+)/.exec(reason ?? '');
  if (declined) return `declined: ${declined[1]}`;
  const stock = /^stock reservation failed: (\S+)/.exec(reason ?? '');
  if (stock) return stock[1] === 'OUT_OF_STOCK' ? 'out of stock' : `stock: ${stock[1]}`;
  return reason || 'cancelled';
}

/** The counts of a run, from its tracked orders and the run's own measurements. */
export function summarize(
  orders: readonly TrackedOrder[],
  run: Pick<TrafficSummary, 'seed' | 'httpErrors' | 'deferred' | 'errors' | 'placingS' | 'interrupted'>,
): TrafficSummary {
  const intents: Record<Intent, number> = { happy: 0, declined: 0, 'out of stock': 0, cancel: 0 };
  const cancelled: Record<string, number> = {};
  const cancellations = { requested: 0, accepted: 0, refused: 0 };
  const latencies: number[] = [];
  let confirmed = 0;
  let unsettled = 0;
  for (const order of orders) {
    intents[order.plan.intent] += 1;
    if (['sent', 'accepted', 'refused', 'failed'].includes(order.cancelState ?? ''))
      cancellations.requested += 1;
    if (order.cancelState === 'accepted') cancellations.accepted += 1;
    if (order.cancelState === 'refused') cancellations.refused += 1;
    if (!order.settled) {
      unsettled += 1;
      continue;
    }
    if (order.latencyMs !== undefined) latencies.push(order.latencyMs);
    if (order.status === 'CONFIRMED') confirmed += 1;
    else {
      const outcome = outcomeOf(order.status, order.reason);
      cancelled[outcome] = (cancelled[outcome] ?? 0) + 1;
    }
  }
  latencies.sort((a, b) => a - b);
  return {
    ...run,
    placed: orders.length,
    intents,
    confirmed,
    cancelled,
    cancellations,
    unsettled,
    achievedRate: run.placingS > 0 ? orders.length / run.placingS : 0,
    latencyMs: latencies.length
      ? {
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          max: latencies[latencies.length - 1],
        }
      : undefined,
    orderIds: orders.map((order) => order.orderId),
  };
}

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The summary as the terminal shows it. */
export function formatSummary(s: TrafficSummary): string {
  const share = (count: number) =>
    `${String(count).padStart(6)}  ${s.placed ? ((100 * count) / s.placed).toFixed(1) : '0.0'}%`;
  const lines = [
    `${s.interrupted ? 'Interrupted. ' : ''}Summary (seed ${s.seed}):`,
    `  placed                        ${String(s.placed).padStart(6)}  in ${s.placingS.toFixed(1)} s, ${s.achievedRate.toFixed(1)} orders/s`,
    `    meant as                    ${Object.entries(s.intents)
      .map(([intent, n]) => `${intent} ${n}`)
      .join(', ')}`,
    `  CONFIRMED                     ${share(s.confirmed)}`,
    `  CANCELLED`,
    ...Object.entries(s.cancelled)
      .sort((a, b) => b[1] - a[1])
      .map(([outcome, count]) => `    ${outcome.padEnd(28)}${share(count)}`),
    `  still unsettled               ${share(s.unsettled)}`,
    `  cancellations                 ${s.cancellations.requested} sent: ${s.cancellations.accepted} accepted, ${s.cancellations.refused} refused (409: already cancelled)`,
    `  asked to come back (503)      ${String(s.deferred).padStart(6)}  each sent again after its Retry-After`,
    `  HTTP errors                   ${String(s.httpErrors).padStart(6)}`,
    ...s.errors.map((error) => `    ${error}`),
    s.latencyMs
      ? `  placed → settled              p50 ${s.latencyMs.p50} ms, p95 ${s.latencyMs.p95} ms, max ${s.latencyMs.max} ms`
      : '  placed → settled              no order settled',
  ];
  return lines.join('\n');
}
