import { DEMO_PRODUCTS } from '../../../apps/inventory/src/seed/demo-seed';
import { DEMO_ACCOUNTS } from '../../../apps/payment/src/seed/demo-seed';
import { requestJson, type HttpAnswer } from '../demo-traffic/traffic-http';
import { planOrder, trafficMix, type PlannedOrder } from '../demo-traffic/traffic-mix';

/** An order the platform accepted (202), by the Idempotency-Key it was placed with. */
export interface AcceptedOrder {
  readonly key: string;
  readonly orderId: string;
  readonly plan: PlannedOrder;
  /** Whether the customer's cancellation was answered 202 (or 409: already settled), if one was planned. */
  cancel?: 'accepted' | 'refused' | 'failed';
}

/**
 * How the requests fared, each try counted: the availability side of a chaos run. A request that gets no
 * answer within the client's timeout is the failure this counts; a refused or reset connection is the
 * instance's death (a fault the run injected), after which the client tries the other instance at once.
 */
export interface Availability {
  /** Requests sent, every try counted. */
  readonly requests: number;
  /** Answers by kind: `2xx`, `4xx`, `503` (not now, with `Retry-After`), `5xx` (any other: a failure). */
  readonly answered: Readonly<Record<'2xx' | '4xx' | '503' | '5xx', number>>;
  /** The 503s by why the service said "not now" (the problem's detail, without its numbers). */
  readonly notNow: Readonly<Record<string, number>>;
  /** Connections refused or cut: the instance was down or died with the request. */
  readonly refused: number;
  /** Requests with no answer within the client's timeout (must be none), the first few named. */
  readonly timedOut: number;
  readonly timedOutShown: readonly string[];
  /** The timed-out requests by the 10 s of the run they were sent in (`"80-90 s": 12`), to set beside the faults. */
  readonly timedOutBySecond: Readonly<Record<string, number>>;
  /** The slowest answer, and the 99th percentile, in ms. */
  readonly slowestMs: number;
  readonly p99Ms: number;
  /** The client's timeout. */
  readonly timeoutMs: number;
}

/** What the traffic did. */
export interface TrafficOutcome {
  readonly sent: number;
  readonly accepted: AcceptedOrder[];
  /** Requests tried again on another instance after a refused connection, a timeout or a 5xx. */
  readonly retries: number;
  /** Orders that were never accepted, with the last answer: none may be missing in a healthy run. */
  readonly failed: string[];
  /** When the last order was placed (ms, `performance.now()`). */
  readonly endedAt: number;
  readonly availability: Availability;
}

/** How long a request may take, and how long a client keeps retrying one request across instances. */
const REQUEST_TIMEOUT_MS = 5_000;
const GIVE_UP_AFTER_MS = 90_000;

/**
 * The chaos run's clients: places orders open loop at `rate` per second, spread over the order service's
 * instances, each with an `Idempotency-Key`. A request that gets no answer (the instance was killed,
 * its database connection cut) or a 5xx is sent again, to the next instance, with the same key — what
 * the key is for: the order exists once however many times it was sent. Cancellations follow the
 * demo's mix: at once, after a delay, or once confirmed.
 */
export class ChaosTraffic {
  private readonly accepted: AcceptedOrder[] = [];
  private readonly failed: string[] = [];
  private readonly pending = new Set<Promise<void>>();
  private retries = 0;
  private sent = 0;
  private readonly answered = { '2xx': 0, '4xx': 0, '503': 0, '5xx': 0 };
  private refused = 0;
  private readonly notNow: Record<string, number> = {};
  private readonly timedOut: string[] = [];
  private readonly timedOutBySecond: Record<string, number> = {};
  private readonly latencies: number[] = [];

  constructor(
    private readonly orderUrls: readonly string[],
    /** `token`: an admin's bearer token (the traffic orders for many customers). */
    private readonly options: {
      orders: number;
      rate: number;
      seed: number;
      random: () => number;
      token: string;
      /** When the run started (`performance.now()`): the times of timed-out requests count from it. */
      since?: number;
    },
  ) {}

  async run(): Promise<TrafficOutcome> {
    const mix = trafficMix({ accounts: DEMO_ACCOUNTS, products: DEMO_PRODUCTS });
    const started = performance.now();
    for (let index = 0; index < this.options.orders; index += 1) {
      const plan = planOrder(mix, this.options.random);
      const due = started + (index * 1000) / this.options.rate - performance.now();
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      this.sent += 1;
      this.track(this.place(`chaos-${this.options.seed}-${index}`, plan, index));
    }
    const endedAt = performance.now();
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    return {
      sent: this.sent,
      accepted: this.accepted,
      retries: this.retries,
      failed: this.failed,
      endedAt,
      availability: this.availability(),
    };
  }

  private availability(): Availability {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const tries = Object.values(this.answered).reduce((sum, n) => sum + n, 0);
    return {
      requests: tries + this.refused + this.timedOut.length,
      answered: { ...this.answered },
      notNow: { ...this.notNow },
      refused: this.refused,
      timedOut: this.timedOut.length,
      timedOutShown: this.timedOut.slice(0, 10),
      timedOutBySecond: { ...this.timedOutBySecond },
      slowestMs: Math.round(sorted.at(-1) ?? 0),
      p99Ms: Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0),
      timeoutMs: REQUEST_TIMEOUT_MS,
    };
  }

  private async place(key: string, plan: PlannedOrder, index: number): Promise<void> {
    const answer = await this.send<{ orderId?: string }>('POST', '/orders', index, plan.request, key);
    if (answer?.status !== 202 || !answer.body?.orderId) {
      this.failed.push(`${key}: ${answer ? `${answer.status} ${JSON.stringify(answer.body)}` : 'no answer'}`);
      return;
    }
    const order: AcceptedOrder = { key, orderId: answer.body.orderId, plan };
    this.accepted.push(order);
    const cancel = plan.cancel;
    if (!cancel) return;
    if (cancel.moment === 'after a delay')
      await new Promise((resolve) => setTimeout(resolve, cancel.delayMs));
    if (cancel.moment === 'once confirmed' && !(await this.confirmed(order, index))) return;
    const cancelled = await this.send('POST', `/orders/${order.orderId}/cancel`, index + 1, {});
    order.cancel = cancelled?.status === 202 ? 'accepted' : cancelled?.status === 409 ? 'refused' : 'failed';
  }

  /** Waits until the order is CONFIRMED (true) or settled otherwise (false), by asking twice a second. */
  private async confirmed(order: AcceptedOrder, index: number): Promise<boolean> {
    const deadline = Date.now() + GIVE_UP_AFTER_MS;
    while (Date.now() < deadline) {
      const answer = await this.send<{ status?: string }>('GET', `/orders/${order.orderId}`, index);
      if (answer?.body?.status === 'CONFIRMED') return true;
      if (answer?.body?.status === 'CANCELLED') return false;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return false;
  }

  /**
   * Sends a request to instance `index` (mod their count); on no answer or a 5xx, to the next one, until
   * an answer below 500 or {@link GIVE_UP_AFTER_MS}. A 503 with `Retry-After` is sent again once that
   * has passed; other failures after a backoff. Resolves to the last answer, if any.
   */
  private async send<Body>(
    method: 'GET' | 'POST',
    path: string,
    index: number,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<HttpAnswer<Body> | undefined> {
    const deadline = Date.now() + GIVE_UP_AFTER_MS;
    let last: HttpAnswer<Body> | undefined;
    for (let attempt = 0; ; attempt += 1) {
      const url = this.orderUrls[(index + attempt) % this.orderUrls.length];
      const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}` };
      if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
      const sentAt = performance.now();
      let wait = Math.min(2000, 100 * 2 ** Math.min(attempt, 5));
      try {
        last = await requestJson<Body>(`${url}${path}`, method, body, {
          headers,
          timeoutMs: REQUEST_TIMEOUT_MS,
        });
        this.latencies.push(performance.now() - sentAt);
        this.answered[answerKind(last.status)] += 1;
        if (last.status < 500) return last;
        if (last.status === 503) {
          const why = notNowReason(last.body);
          this.notNow[why] = (this.notNow[why] ?? 0) + 1;
          if (last.retryAfterMs !== undefined) wait = last.retryAfterMs;
        }
      } catch (error) {
        // Timed out: the instance hangs (a failure of availability). Refused or reset: it died.
        if ((error as Error).name === 'TimeoutError') {
          const atS = (sentAt - (this.options.since ?? 0)) / 1000;
          const from = Math.floor(atS / 10) * 10;
          this.timedOutBySecond[`${from}-${from + 10} s`] =
            (this.timedOutBySecond[`${from}-${from + 10} s`] ?? 0) + 1;
          this.timedOut.push(`${method} ${url}${path} (sent at ${atS.toFixed(1)} s)`);
        } else this.refused += 1;
      }
      if (Date.now() >= deadline) return last;
      this.retries += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, deadline - Date.now())));
    }
  }

  private track(task: Promise<void>): void {
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }
}

function answerKind(status: number): keyof Availability['answered'] {
  if (status === 503) return '503';
  if (status >= 500) return '5xx';
  return status >= 400 ? '4xx' : '2xx';
}

/** Why a 503 said "not now": its problem detail with the numbers taken out, so that alike ones count together. */
function notNowReason(body: unknown): string {
  const detail = (body as { detail?: unknown } | undefined)?.detail;
  if (typeof detail !== 'string') return 'no detail';
  return detail
    .replace(/: send the request again.*$/, '')
    .replace(/\d+/g, 'N')
    .slice(0, 80);
}
