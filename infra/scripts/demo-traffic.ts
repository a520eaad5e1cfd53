/**
 * `npm run demo:traffic -- --rate 20 --duration 60 [--order-url http://127.0.0.1:3001] [--seed N]
 * [--settle-timeout 60]` — a realistic mix of orders against the running demo (`npm run demo`): happy
 * ones, declined (no money, the wrong currency), out of stock (LAPTOP-PRO, the scarce items) and
 * cancelled by the customer at once, after a moment or once confirmed. Shows a progress bar, waits for
 * every order to settle, then prints what happened. Exit 0 when every order settled without an HTTP
 * error, 1 otherwise, 2 on bad arguments. Ctrl+C stops placing and prints the summary so far.
 *
 * The customers and products come from the demo seeds, so the mix follows them when they change. It
 * orders for them with an admin token from the local dev key (`npm run token`), which the demo trusts,
 * or with `SAGA_TOKEN` (an admin bearer token) against a platform that trusts another issuer.
 */
import { devTokenIssuer } from './dev-token-issuer';
import { progressReporter } from './demo-traffic/progress-bar';
import { runTraffic } from './demo-traffic/run-traffic';
import { parseTrafficArgs } from './demo-traffic/traffic-options';
import { formatSummary } from './demo-traffic/traffic-summary';

export { runTraffic, type RunTrafficOptions, type TrafficProgress } from './demo-traffic/run-traffic';
export { parseTrafficArgs, type TrafficOptions } from './demo-traffic/traffic-options';
export { outcomeOf, type TrafficSummary } from './demo-traffic/traffic-summary';

async function main(args: string[]): Promise<number> {
  const options = parseTrafficArgs(args);
  await expectOrderService(options.orderUrl);
  const stop = new AbortController();
  process.on('SIGINT', () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    process.stderr.write('\nStopping: no more orders; the summary follows (Ctrl+C again to quit now).\n');
  });
  console.log(
    `Placing ${options.rate} orders/s for ${options.durationS} s against ${options.orderUrl} (seed ${options.seed})`,
  );
  const progress = progressReporter(process.stdout);
  const token =
    process.env.SAGA_TOKEN || (await devTokenIssuer().mint({ admin: 'demo-traffic' }, { ttlSeconds: 3600 }));
  const summary = await runTraffic({ ...options, token, signal: stop.signal, onProgress: progress.update });
  progress.end();
  console.log(formatSummary(summary));
  return summary.unsettled === 0 && summary.httpErrors === 0 ? 0 : 1;
}

/** Fails with a hint when nothing answers at the URL, instead of counting thousands of errors. */
async function expectOrderService(orderUrl: string): Promise<void> {
  try {
    await fetch(`${orderUrl}/health/live`, { signal: AbortSignal.timeout(5_000) });
  } catch {
    throw new Error(`no order service answers at ${orderUrl}: start the demo first (npm run demo)`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}
