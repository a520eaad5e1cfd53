/** A job started by {@link runPeriodically}. */
export interface PeriodicJob {
  /** Stops the timer and resolves once the round in flight, if any, has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `round` every `intervalMs`, never two rounds at once: a tick that comes while one still runs is
 * skipped. The timer does not keep the process alive. A round should handle its own errors; one that
 * rejects anyway only ends that round.
 */
export function runPeriodically(round: () => Promise<void>, intervalMs: number): PeriodicJob {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= round()
      .catch(() => undefined)
      .finally(() => (running = undefined));
  }, intervalMs).unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
