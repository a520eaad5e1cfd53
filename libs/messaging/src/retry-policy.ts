/** Bounded retries with exponential backoff, for failures that may pass (a deadlock, a lost connection). */
export interface RetryPolicy {
  /** Tries in all, the first included (default 5). */
  readonly maxAttempts: number;
  /** Delay before the second try (default 100 ms); doubles each time. */
  readonly initialDelayMs: number;
  /** Upper bound of one delay (default 2 s). */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 2000 };

/** The delay after failed try number `attempt` (1-based). */
export function retryDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
}
