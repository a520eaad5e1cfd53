import { waitFor } from '@saga/common';
import type { ServiceName } from '@saga/contracts';
import { Pool } from 'pg';
import { summarise, type LatencySummary } from './latency-summary';
import { epochMs, runOpenLoop } from './open-loop';
import { ProcessSampler, waitForQuietMachine, type ProcessUsage, type SampledGroup } from './process-usage';
import type { TrialVerdict } from './rate-search';
import { TerminalWatch } from './terminal-watch';

/** A running variant of the saga the bench drives: the platform, the unsafe build or the raw floor. */
export interface BenchTarget {
  readonly name: string;
  /** `POST` here places an order. */
  readonly ordersUrl: string;
  /** Each service's database (the trial reads order's timeline and notification's mails). */
  readonly databaseUrls: Readonly<Record<ServiceName, string>>;
  /** The processes to sample: the four services, the broker, PostgreSQL. */
  readonly processes: readonly SampledGroup[];
  /** The body of the i-th order. */
  readonly order: (index: number) => unknown;
  /** Sent with every `POST` (the platform's bearer token; the raw floor ignores it). */
  readonly headers: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** What the bench asks of a sustainable rate. */
export const SUSTAINABLE = {
  /** p99 of POST accepted → order terminal. */
  p99Ms: 150,
  /** Once arrivals stop, every order terminal and every e-mail sent within this (no backlog left). */
  drainMs: 2_000,
  /** The client must have sent at least this share of the target rate (else the bench, not the saga, limits). */
  sentShare: 0.95,
} as const;

/** One trial: a fixed arrival rate for a while, and what came of it. */
export interface TrialResult extends TrialVerdict {
  readonly durationS: number;
  readonly sent: number;
  readonly sentPerSecond: number;
  readonly errors: Record<string, number>;
  /** Orders accepted but not terminal by the end of the drain deadline. */
  readonly unfinished: number;
  /** From the last arrival until every order was terminal and every e-mail sent (or the deadline). */
  readonly drainMs: number;
  /** POST accepted → order terminal, for orders accepted after the warm-up. */
  readonly latency: LatencySummary;
  /** How long the 202s took to arrive (the order API's answer), for requests sent after the warm-up. */
  readonly answer?: LatencySummary;
  readonly usage: Record<string, ProcessUsage>;
  /** Why it was not sustainable (empty when it was). */
  readonly failures: string[];
  /** Share of the machine's CPUs busy just before the trial began (it waits for ≤ 0.25, 30 s at most). */
  readonly busyBefore: number;
}

/** Offers `rate` orders/s of the target's orders for `durationS` (open loop); `watch` follows each accepted one. */
export function offerLoad(target: BenchTarget, rate: number, durationS: number, watch: TerminalWatch) {
  return runOpenLoop({
    url: target.ordersUrl,
    rate,
    durationS,
    body: target.order,
    headers: target.headers,
    onPlaced: (order) => watch.watch([order.orderId]),
  });
}

async function sentMails(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM notifications WHERE status = 'SENT'",
  );
  return Number(rows[0].n);
}

/**
 * Runs `rate` orders/s at `target` for `durationS` (open loop), then waits up to `drainTimeoutMs` for
 * every order to be terminal and every e-mail sent. Latency counts the orders accepted after `warmupS`.
 */
export async function runTrial(
  target: BenchTarget,
  rate: number,
  options: { durationS: number; warmupS: number; drainTimeoutMs: number; log: (line: string) => void },
): Promise<TrialResult> {
  const watch = new TerminalWatch(target.databaseUrls.order);
  const mails = new Pool({ connectionString: target.databaseUrls.notification, max: 1 });
  const sampler = new ProcessSampler(target.processes);
  try {
    const busyBefore = await waitForQuietMachine();
    const mailsBefore = await sentMails(mails);
    const startedAt = epochMs();
    sampler.start();
    const loop = await offerLoad(target, rate, options.durationS, watch);
    const arrivalsEnd = startedAt + options.durationS * 1000;
    const expectedMails = mailsBefore + loop.placed.length;
    const drained = await waitFor(
      async () => (watch.openCount === 0 && (await sentMails(mails)) >= expectedMails) || undefined,
      { timeoutMs: options.drainTimeoutMs, intervalMs: 20, what: 'the trial to drain' },
    ).catch(() => false);
    const drainMs = Math.max(0, epochMs() - arrivalsEnd);
    const usage = sampler.stop();
    const measured = loop.placed
      .filter((o) => o.acceptedAt >= startedAt + options.warmupS * 1000 && watch.terminalAt.has(o.orderId))
      .map((o) => watch.terminalAt.get(o.orderId)! - o.acceptedAt);
    const latency = summarise(measured);
    const answer = summarise(
      loop.answers.filter((a) => a.status === 202 && a.sentAtMs >= options.warmupS * 1000).map((a) => a.ms),
    );
    const unfinished = watch.openCount;
    const failures: string[] = [];
    const errorCount = Object.values(loop.errors).reduce((sum, n) => sum + n, 0);
    if (errorCount > 0) failures.push(`${errorCount} requests failed (${JSON.stringify(loop.errors)})`);
    if (loop.sentPerSecond < rate * SUSTAINABLE.sentShare)
      failures.push(`the client sent only ${loop.sentPerSecond}/s`);
    if (!drained || unfinished > 0)
      failures.push(`${unfinished} orders not terminal ${options.drainTimeoutMs} ms after the last arrival`);
    else if (drainMs > SUSTAINABLE.drainMs) failures.push(`a backlog: ${Math.round(drainMs)} ms to drain`);
    if (!(latency.p99Ms <= SUSTAINABLE.p99Ms))
      failures.push(`p99 ${latency.p99Ms} ms > ${SUSTAINABLE.p99Ms} ms`);
    const result: TrialResult = {
      rate,
      sustainable: failures.length === 0,
      durationS: options.durationS,
      sent: loop.sent,
      sentPerSecond: loop.sentPerSecond,
      errors: loop.errors,
      unfinished,
      drainMs: Math.round(drainMs),
      latency,
      answer,
      usage,
      failures,
      busyBefore,
    };
    options.log(
      `${target.name} @ ${rate}/s: p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms, answer p99 ${answer.p99Ms} ms, ` +
        `drain ${result.drainMs} ms → ` +
        (result.sustainable ? 'sustainable' : `not sustainable: ${failures.join('; ')}`),
    );
    return result;
  } finally {
    await watch.close();
    await mails.end();
  }
}
