/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Time between two checks. */
  readonly intervalMs?: number;
  /** What is awaited, for the timeout message ("the broker to answer"). */
  readonly what: string;
}

/** Thrown by {@link waitFor} at its deadline; says what was awaited and what was last seen. */
export class WaitTimeoutError extends Error {
  constructor(
    what: string,
    timeoutMs: number,
    readonly lastSeen: unknown,
  ) {
    super(`Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${describe(lastSeen)}`);
    this.name = 'WaitTimeoutError';
  }
}

/**
 * Polls `check` until it returns a value other than `false`/`undefined` and resolves with that value.
 * A check that throws counts as "not yet"; its error is what the timeout reports as last seen.
 * This is how tests and scripts synchronise: on a condition with a deadline, never on a sleep.
 */
export async function waitFor<T>(
  check: () => T | false | undefined | Promise<T | false | undefined>,
  { timeoutMs, intervalMs = 50, what }: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastSeen: unknown = 'nothing yet';
  for (;;) {
    try {
      const value = await check();
      if (value !== false && value !== undefined) {
        return value;
      }
      lastSeen = value;
    } catch (error) {
      lastSeen = error;
    }
    if (Date.now() >= deadline) {
      throw new WaitTimeoutError(what, timeoutMs, lastSeen);
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))),
    );
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) {
    return `${value.name}: ${value.message}`;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}
