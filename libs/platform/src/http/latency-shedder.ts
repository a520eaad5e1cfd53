/** How a {@link LatencyShedder} steers. */
export interface LatencyTarget {
  /** The answer time to hold: the 90th percentile of the admitted requests' time from arrival (ms). */
  readonly targetMs: number;
  /** How often the shed fraction is adjusted (ms); a window with fewer than 5 answers waits up to 10×. */
  readonly intervalMs?: number;
  /**
   * When the requests still being answered arrived (the clock's ms). One that has already taken longer
   * than the target counts as a slow answer now, not only once it is answered: at the onset of overload
   * the first slow answers come a whole answer time late, and the requests admitted meanwhile are the tail.
   */
  readonly inFlight?: () => Iterable<number>;
}

/** Never shed more than this: a trickle keeps measuring, so the fraction can come down again. */
const MAX_SHED = 0.95;
/** Per window, the fraction moves by this times the relative error (an integral controller)… */
const GAIN = 0.1;
/**
 * …and comes down four times slower than it went up: a spell of fast answers right after shedding began
 * is the shedding working, not the load gone, and a fraction that falls as fast as it rose lets the next
 * burst through (the tail the target is for).
 */
const RELAX = 0.25;
const MIN_SAMPLES = 5;

/**
 * Sheds a fraction of new requests so that the admitted ones keep an answer time near a target — the
 * idea of PIE (RFC 8033), a queue's drop probability steered by the measured delay, applied to requests.
 *
 * A concurrency limit alone cannot hold latency when the time goes elsewhere: past the saga's capacity on
 * a busy machine, the order service's own consumers and the other services take the CPU, and each request
 * takes longer without any more of them running at once. So the shedder watches what the clients see
 * (each admitted request's time from its arrival to its answer) and, every `intervalMs`, moves the shed
 * fraction by {@link GAIN} × (p90 − target) / target, the windows' p90 smoothed: up while the answers are
 * slower than the target, down ({@link RELAX} times as fast) while they are faster. Fewer orders placed
 * means less saga work behind them, and the answer time comes back.
 *
 * It comes down slowly under traffic: at most 0.025 a window, so from the cap to 0 in about five seconds
 * of fast answers. A window with fewer than {@link MIN_SAMPLES} answers is little traffic, not overload:
 * after ten intervals it closes as a quiet one, which halves the fraction for every second it lasted —
 * one slow request alone never starts the shedding, and a pause between bursts clears it.
 */
export class LatencyShedder {
  private shed = 0;
  private samples: number[] = [];
  private windowStart: number;
  /** The windows' p90, smoothed: one slow window (a GC pause, a rebalance) moves it halfway. */
  private smoothedP90 = Number.NaN;

  constructor(
    private readonly target: LatencyTarget,
    private readonly now: () => number = () => performance.now(),
    private readonly random: () => number = Math.random,
  ) {
    if (!(target.targetMs > 0)) throw new Error(`invalid latency target: ${target.targetMs} ms`);
    this.windowStart = now();
  }

  /** Whether to refuse this request (drawn at the current fraction). */
  shouldShed(): boolean {
    this.adjust();
    return this.shed > 0 && this.random() < this.shed;
  }

  /** An admitted request was answered after `ms` (a time that is not a finite number is ignored). */
  observe(ms: number): void {
    if (Number.isFinite(ms) && this.samples.length < 10_000) this.samples.push(ms);
    this.adjust();
  }

  /** The fraction shed now, and the smoothed p90 it steers by (NaN before the first window). */
  state(): { readonly shedFraction: number; readonly p90Ms: number } {
    return {
      shedFraction: Math.round(this.shed * 1000) / 1000,
      p90Ms: Math.round(this.smoothedP90 * 10) / 10,
    };
  }

  private adjust(): void {
    const interval = this.target.intervalMs ?? 100;
    const now = this.now();
    const elapsed = now - this.windowStart;
    if (elapsed < interval) return;
    // Requests still running past the target are slow answers already; read when the window closes,
    // so each counts once per window (and once more when it is answered, in the window it ends in).
    const running = [...(this.target.inFlight?.() ?? [])]
      .map((arrived) => now - arrived)
      .filter((age) => Number.isFinite(age) && age > this.target.targetMs);
    const answers = [...this.samples, ...running];
    if (answers.length < MIN_SAMPLES && elapsed < 10 * interval) return;
    if (answers.length < MIN_SAMPLES) {
      // A quiet spell: nothing to steer by, and no overload. The share halves for every second of it
      // (ten intervals), however long it was: a burst after a minute of silence meets a fresh gate, not
      // the share the last overload left.
      this.smoothedP90 = this.target.targetMs / 2;
      this.shed *= 0.5 ** Math.floor(elapsed / (10 * interval));
      if (this.shed < 0.01) this.shed = 0;
      return this.closeWindow(now);
    }
    const p90 = percentile(answers, 0.9);
    this.smoothedP90 = Number.isNaN(this.smoothedP90) ? p90 : (this.smoothedP90 + p90) / 2;
    const error = (this.smoothedP90 - this.target.targetMs) / this.target.targetMs;
    const step = GAIN * Math.max(-1, Math.min(3, error));
    this.shed = Math.min(MAX_SHED, Math.max(0, this.shed + (step > 0 ? step : RELAX * step)));
    this.closeWindow(now);
  }

  private closeWindow(now: number): void {
    this.samples = [];
    this.windowStart = now;
  }
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
