import { LatencyShedder } from './latency-shedder';

/** How much work an {@link AdmissionGate} admits. */
export interface AdmissionLimits {
  /** Requests worked on at once; the rest wait their turn. */
  readonly concurrency: number;
  /** Requests that may wait for a turn; one more is refused at once. */
  readonly queue: number;
  /** How long a request may wait for its turn before it is refused. */
  readonly maxWaitMs: number;
  /**
   * How long an admitted request may take: past it, the request gives up at its next checkpoint
   * (`checkBudget`, before it commits) and is answered "not now". 0 or absent: no bound.
   */
  readonly budgetMs?: number;
  /**
   * The answer time to hold (p90 of the admitted requests, from arrival at the service to the answer): past
   * it, a growing fraction of new requests is refused ({@link LatencyShedder}). 0 or absent: no target.
   */
  readonly targetMs?: number;
}

/**
 * A reason to refuse new work now, whatever the queue says: a backlog downstream (say, orders the saga
 * has not settled yet), with how long the caller should wait. Undefined when there is none.
 */
export type Backpressure = () => { readonly reason: string; readonly retryAfterMs: number } | undefined;

/** Thrown by {@link AdmissionGate.enter}: the request is refused, to be sent again after `retryAfterMs`. */
export class Overloaded extends Error {
  constructor(
    readonly reason: string,
    readonly retryAfterMs: number,
  ) {
    super(reason);
    this.name = 'Overloaded';
  }
}

/** What the gate has done since it was made, and what it holds now. */
export interface AdmissionStats {
  readonly active: number;
  readonly queued: number;
  readonly admitted: number;
  /**
   * Refusals by cause: `queue full`, `waited too long`, `over budget`, `answers slower than target`, or a
   * backpressure's reason.
   */
  readonly refused: Readonly<Record<string, number>>;
  /** The fraction of new requests refused to hold `targetMs` (0 without a target). */
  readonly shedFraction: number;
}

interface Waiter {
  readonly admit: () => void;
  readonly timer: NodeJS.Timeout;
}

/** No hint shorter than this: a client told to come back at once only adds to the queue it left. */
const MIN_RETRY_AFTER_MS = 250;
const MAX_RETRY_AFTER_MS = 10_000;

/**
 * Bounds the work a service admits, so that past its capacity it answers "not now" (503 with a
 * `Retry-After`) at once instead of answering late: accepted requests keep their latency, and clients
 * that honour the hint spread their retries instead of piling on.
 *
 * At most `concurrency` requests run; up to `queue` more wait, first come first served, each at most
 * `maxWaitMs`. A request is refused at once when the queue is full or a {@link Backpressure} names a
 * backlog. With a `targetMs`, a fraction of new requests is refused while the admitted ones answer slower
 * than it ({@link LatencyShedder}): the limit that holds latency when the time goes to work outside the
 * gate, which a concurrency limit does not see. The hint is the time the queue ahead of it would take at
 * the recent service time, jittered so refused clients do not come back together.
 */
export class AdmissionGate {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private admitted = 0;
  private readonly refused: Record<string, number> = {};
  /** Exponentially weighted mean of how long an admitted request held its slot (ms). */
  private serviceMs = 10;
  private readonly shedder?: LatencyShedder;
  /** When each admitted request still running arrived (its `arrivedAt`), for the shedder. */
  private readonly running = new Set<{ readonly arrived: number }>();

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly backpressure: readonly Backpressure[] = [],
    private readonly random: () => number = Math.random,
    private readonly now: () => number = () => performance.now(),
  ) {
    const { concurrency, queue, maxWaitMs, budgetMs = 0, targetMs = 0 } = limits;
    if (concurrency < 1 || queue < 0 || maxWaitMs < 0 || budgetMs < 0 || targetMs < 0) {
      throw new Error(`invalid admission limits: ${JSON.stringify(limits)}`);
    }
    if (targetMs > 0) {
      const inFlight = () => [...this.running].map((request) => request.arrived);
      this.shedder = new LatencyShedder({ targetMs, inFlight }, now, random);
    }
  }

  /**
   * Resolves with the function that gives the slot back (call it once the work is done, however it
   * ended), or rejects with {@link Overloaded}. `arrivedAt` (performance.now()): when the request reached
   * the service, if before the gate; its answer time is counted from then.
   */
  async enter(arrivedAt?: number): Promise<() => void> {
    const arrived = arrivedAt !== undefined && Number.isFinite(arrivedAt) ? arrivedAt : this.now();
    for (const pressure of this.backpressure) {
      const refusal = pressure();
      if (refusal) throw this.refuse(refusal.reason, refusal.retryAfterMs);
    }
    if (this.shedder?.shouldShed()) {
      // A short hint, longer the more is shed: ¼ s, up to about 1.2 s at the cap once jittered. The
      // fraction falls slowly (seconds), but a client that comes back meets a fresh draw, not a queue.
      throw this.refuse('answers slower than target', 250 + 750 * this.shedder.state().shedFraction);
    }
    if (this.active < this.limits.concurrency && this.waiting.length === 0) return this.take(arrived);
    if (this.waiting.length >= this.limits.queue) throw this.refuse('queue full', this.queueDrainMs());
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(this.refuse('waited too long', this.queueDrainMs()));
        }, this.limits.maxWaitMs).unref(),
      };
      this.waiting.push(waiter);
    });
    return this.take(arrived, true);
  }

  /** The budget of an admitted request (0: none). */
  get budgetMs(): number {
    return this.limits.budgetMs ?? 0;
  }

  /** An admitted request ran out of its budget and gave up: counted, and told when to come back. */
  overBudget(): Overloaded {
    return this.refuse('over budget', Math.max(1000, this.queueDrainMs()));
  }

  stats(): AdmissionStats {
    return {
      active: this.active,
      queued: this.waiting.length,
      admitted: this.admitted,
      refused: { ...this.refused },
      shedFraction: this.shedder?.state().shedFraction ?? 0,
    };
  }

  /**
   * `arrived`: when the request reached the service (or the gate). `handedOver`: the slot was passed on by a finishing
   * request, which did not give it back.
   */
  private take(arrived: number, handedOver = false): () => void {
    if (!handedOver) this.active += 1;
    this.admitted += 1;
    const started = this.now();
    const request = { arrived };
    this.running.add(request);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running.delete(request);
      const done = this.now();
      this.serviceMs = 0.9 * this.serviceMs + 0.1 * (done - started);
      this.shedder?.observe(done - arrived);
      const next = this.waiting.shift();
      if (next)
        next.admit(); // the slot goes straight to the longest waiter
      else this.active -= 1;
    };
  }

  /** How long the requests ahead would take to go through, at the recent service time. */
  private queueDrainMs(): number {
    return ((this.waiting.length + this.active) * this.serviceMs) / this.limits.concurrency;
  }

  private refuse(reason: string, estimateMs: number): Overloaded {
    this.refused[reason] = (this.refused[reason] ?? 0) + 1;
    const jittered = estimateMs * (0.75 + this.random() / 2);
    const retryAfterMs = Math.round(Math.min(MAX_RETRY_AFTER_MS, Math.max(MIN_RETRY_AFTER_MS, jittered)));
    return new Overloaded(reason, retryAfterMs);
  }
}
