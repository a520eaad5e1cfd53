import { randomUUID } from 'node:crypto';
import { DEMO_PRODUCTS } from '../../../apps/inventory/src/seed/demo-seed';
import { DEMO_ACCOUNTS } from '../../../apps/payment/src/seed/demo-seed';
import { TrackedOrder, type OrderView } from './tracked-order';
import { forEachLimited, requestJson } from './traffic-http';
import { planOrder, seededRandom, trafficMix, type DemoWorld, type PlannedOrder } from './traffic-mix';
import type { TrafficOptions } from './traffic-options';
import { summarize, type TrafficSummary } from './traffic-summary';

/** How a run is going, for a progress bar. */
export interface TrafficProgress {
  readonly phase: 'placing' | 'settling';
  readonly elapsedS: number;
  /** Orders the run will place in all (`rate × duration`). */
  readonly total: number;
  /** `POST /orders` sent so far, and accepted so far. */
  readonly sent: number;
  readonly placed: number;
  readonly settled: number;
  readonly httpErrors: number;
}

/** {@link TrafficOptions}, and what a caller other than the command line may add. */
export interface RunTrafficOptions extends TrafficOptions {
  /**
   * The bearer token every request carries: an admin's, since the traffic orders for many customers
   * (the command line mints one from the local dev key, `npm run token`).
   */
  readonly token: string;
  /** The customers and products to draw from; the demo seeds by default. */
  readonly world?: DemoWorld;
  /** Aborting stops placing, drops the cancellations still to send and ends with the summary so far. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: TrafficProgress) => void;
  readonly progressIntervalMs?: number;
}

/** One look at each open order per half second: a saga takes tens of milliseconds, a person waits seconds. */
const POLL_INTERVAL_MS = 500;
/** Looks in flight at once, so the polling loads the order service less than the traffic does. */
const POLL_CONCURRENCY = 8;
const ERRORS_SHOWN = 5;
/** How many times one order is sent again after a 503 "not now" before it counts as an error. */
const MAX_DEFERRALS = 20;

/**
 * Places the demo's mix of orders against a running platform, open loop at `rate` orders/s for
 * `durationS` seconds, sends the planned cancellations, then waits (up to `settleTimeoutS`) for every
 * order to settle, and counts what happened. Never throws for what the platform answers: errors count.
 */
export function runTraffic(options: RunTrafficOptions): Promise<TrafficSummary> {
  return new TrafficRun(options).run();
}

class TrafficRun {
  private readonly orders: TrackedOrder[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly errors: string[] = [];
  private readonly started = performance.now();
  private readonly total: number;
  private httpErrors = 0;
  private deferred = 0;
  private sent = 0;
  private settleDeadline?: number;

  constructor(private readonly options: RunTrafficOptions) {
    this.total = Math.round(options.rate * options.durationS);
    options.signal?.addEventListener('abort', () => this.timers.forEach((timer) => clearTimeout(timer)));
  }

  async run(): Promise<TrafficSummary> {
    const { onProgress, progressIntervalMs = 250 } = this.options;
    const ticker = onProgress && setInterval(() => onProgress(this.progress()), progressIntervalMs);
    try {
      const polling = this.pollLoop();
      await this.place();
      const placingS = (performance.now() - this.started) / 1000;
      this.settleDeadline = Date.now() + this.options.settleTimeoutS * 1000;
      await polling;
      await Promise.allSettled([...this.inFlight]);
      return summarize(this.orders, {
        seed: this.options.seed,
        httpErrors: this.httpErrors,
        deferred: this.deferred,
        errors: this.errors.slice(0, ERRORS_SHOWN),
        placingS,
        interrupted: this.options.signal?.aborted ?? false,
      });
    } finally {
      if (ticker) clearInterval(ticker);
      // Cancellations not sent by the settle deadline stay unsent: the run is over.
      this.timers.forEach((timer) => clearTimeout(timer));
      onProgress?.(this.progress());
    }
  }

  /** Sends each order at its time on the schedule, whatever the answers' latency; then awaits the answers. */
  private async place(): Promise<void> {
    const random = seededRandom(this.options.seed);
    const mix = trafficMix(this.options.world ?? { accounts: DEMO_ACCOUNTS, products: DEMO_PRODUCTS });
    const answers: Promise<void>[] = [];
    for (let index = 0; index < this.total; index += 1) {
      const plan = planOrder(mix, random);
      await this.pause(this.started + (index * 1000) / this.options.rate - performance.now());
      if (this.options.signal?.aborted) break;
      this.sent += 1;
      answers.push(this.placeOne(plan));
    }
    await Promise.all(answers);
  }

  /**
   * Places one order. A 503 "not now" is sent again once its `Retry-After` has passed (at most
   * {@link MAX_DEFERRALS} times), with the same `Idempotency-Key`: the order exists once however often
   * it was sent.
   */
  private async placeOne(plan: PlannedOrder): Promise<void> {
    const key = randomUUID();
    let answer = await this.request<{ orderId: string }>('POST', '/orders', plan.request, key);
    for (let deferrals = 0; answer?.status === 503 && answer.retryAfterMs !== undefined; deferrals += 1) {
      if (deferrals >= MAX_DEFERRALS || this.options.signal?.aborted) break;
      this.deferred += 1;
      await this.pause(answer.retryAfterMs);
      answer = await this.request<{ orderId: string }>('POST', '/orders', plan.request, key);
    }
    if (!answer) return;
    if (answer.status !== 202 || !answer.body?.orderId) {
      this.fail(
        `POST /orders ${JSON.stringify(plan.request)}: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
      return;
    }
    const order = new TrackedOrder(answer.body.orderId, plan);
    this.orders.push(order);
    if (plan.cancel?.moment === 'at once') this.track(this.cancel(order));
    if (plan.cancel?.moment === 'after a delay' && !this.options.signal?.aborted) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.track(this.cancel(order));
      }, plan.cancel.delayMs);
      this.timers.add(timer);
    }
  }

  private async cancel(order: TrackedOrder): Promise<void> {
    order.cancelState = 'sent';
    const answer = await this.request('POST', `/orders/${order.orderId}/cancel`, {});
    if (answer?.status === 202) order.cancelState = 'accepted';
    else if (answer?.status === 409) order.cancelState = 'refused';
    else {
      order.cancelState = 'failed';
      if (answer)
        this.fail(`POST /orders/${order.orderId}/cancel: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  }

  /**
   * Looks at every open order each round, sends the cancellations due on confirmation, and ends once
   * placing is over and every order has settled, at the settle deadline, or right after an abort.
   */
  private async pollLoop(): Promise<void> {
    for (;;) {
      const round = Date.now();
      const open = this.orders.filter((order) => !order.settled);
      await forEachLimited(open, POLL_CONCURRENCY, (order) => this.refresh(order));
      if (this.settleDeadline !== undefined) {
        const settled = this.timers.size === 0 && this.orders.every((order) => order.settled);
        if (settled || Date.now() >= this.settleDeadline || this.options.signal?.aborted) return;
      }
      await this.pause(POLL_INTERVAL_MS - (Date.now() - round));
    }
  }

  private async refresh(order: TrackedOrder): Promise<void> {
    const answer = await this.request<OrderView>('GET', `/orders/${order.orderId}`);
    // "Not now" (503): the next round asks again, later than any Retry-After the services give.
    if (!answer || answer.status === 503) return;
    if (answer.status !== 200 || !answer.body) {
      this.fail(`GET /orders/${order.orderId}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return;
    }
    order.observe(answer.body);
    if (order.cancelDue && !this.options.signal?.aborted) this.track(this.cancel(order));
  }

  /** One request to the order service; a network error or timeout counts and resolves to undefined. */
  private async request<Body>(method: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string) {
    const request = requestJson<Body>(`${this.options.orderUrl}${path}`, method, body, {
      headers: {
        authorization: `Bearer ${this.options.token}`,
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      },
    });
    this.inFlight.add(request);
    try {
      return await request;
    } catch (error) {
      this.fail(`${method} ${path}: ${(error as Error).message}`);
      return undefined;
    } finally {
      this.inFlight.delete(request);
    }
  }

  private track(task: Promise<void>): void {
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  private fail(error: string): void {
    this.httpErrors += 1;
    if (this.errors.length < ERRORS_SHOWN) this.errors.push(error);
  }

  /** Waits `ms` (at least one turn of the event loop, so answers get in), or until the run is aborted. */
  private pause(ms: number): Promise<void> {
    const signal = this.options.signal;
    if (ms <= 0 || signal?.aborted) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private progress(): TrafficProgress {
    return {
      phase: this.settleDeadline === undefined ? 'placing' : 'settling',
      elapsedS: (performance.now() - this.started) / 1000,
      total: this.total,
      sent: this.sent,
      placed: this.orders.length,
      settled: this.orders.filter((order) => order.settled).length,
      httpErrors: this.httpErrors,
    };
  }
}
