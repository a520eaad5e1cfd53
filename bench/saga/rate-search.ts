/** What one trial at a fixed arrival rate showed. */
export interface TrialVerdict {
  readonly rate: number;
  readonly sustainable: boolean;
}

/** How {@link findMaxRate} searches. */
export interface RateSearchOptions {
  /** The first rate tried (orders/s). */
  readonly startRate: number;
  /** Never tries above this. */
  readonly maxRate: number;
  /** Stops bisecting when the bracket is narrower than this fraction of its lower end (0.1 = 10 %). */
  readonly resolution: number;
  /** At most this many trials in all. */
  readonly maxTrials: number;
}

/**
 * The highest sustainable arrival rate: doubles from `startRate` until a trial fails (or `maxRate` is
 * reached), then bisects between the last rate that held and the first that did not. Returns the highest
 * rate that held (0 when even `startRate` did not) and every trial, in the order run.
 */
export async function findMaxRate<T extends TrialVerdict>(
  trial: (rate: number) => Promise<T>,
  options: RateSearchOptions,
): Promise<{ maxRate: number; best?: T; trials: T[] }> {
  const trials: T[] = [];
  let best: T | undefined;
  let failedAt: number | undefined;
  let rate = options.startRate;
  while (trials.length < options.maxTrials) {
    const verdict = await trial(rate);
    trials.push(verdict);
    if (!verdict.sustainable) {
      failedAt = rate;
      break;
    }
    best = verdict;
    if (rate >= options.maxRate) return { maxRate: rate, best, trials };
    rate = Math.min(options.maxRate, rate * 2);
  }
  let low = best?.rate ?? 0;
  let high = failedAt ?? low;
  while (trials.length < options.maxTrials && high - low > Math.max(1, low * options.resolution)) {
    const middle = Math.round((low + high) / 2);
    const verdict = await trial(middle);
    trials.push(verdict);
    if (verdict.sustainable) {
      best = verdict;
      low = middle;
    } else {
      high = middle;
    }
  }
  return { maxRate: low, best, trials };
}
