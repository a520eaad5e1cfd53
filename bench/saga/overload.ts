import { monitorEventLoopDelay } from 'node:perf_hooks';
import { waitFor } from '@saga/common';
import { parseMetrics } from '@saga/test-kit';
import { summarise, type LatencySummary } from './latency-summary';
import { waitForQuietMachine } from './process-usage';
import { TerminalWatch } from './terminal-watch';
import { offerLoad, type BenchTarget } from './trial';

/** What the overload trial asks of the platform (issue 18). */
export const OVERLOAD = {
  /** Offered load, as a multiple of the highest sustainable rate. */
  factor: 2,
  /** Every request answered — 202 or 503 — within this. */
  answerWithinMs: 1_000,
  /** p99 of the accepted requests' answer (the 202) stays within this. */
  acceptedP99Ms: 150,
} as const;

/** The overload trial: twice the sustainable rate, and how the order API answered it. */
export interface OverloadResult {
  readonly rate: number;
  readonly durationS: number;
  readonly sent: number;
  /** Answers by status (or network error). */
  readonly statuses: Record<string, number>;
  /** Requests answered 202 or 503 within {@link OVERLOAD.answerWithinMs}, of all sent. */
  readonly answeredInTime: number;
  /** How long the answers took: the accepted (202) and the refused (503). */
  readonly acceptedAnswer: LatencySummary;
  readonly refusedAnswer: LatencySummary;
  /** Orders accepted per second, and accepted → terminal for those (the saga's latency under overload). */
  readonly acceptedPerSecond: number;
  readonly settle: LatencySummary;
  /**
   * The twelve slowest accepted answers, each with when it was sent (ms into the trial): whether the tail
   * is the onset of the overload (before the gate reacted) or spread over it.
   */
  readonly slowest?: readonly { readonly sentAtMs: number; readonly ms: number }[];
  /**
   * Where the slow answers' time went. `client`: the load generator's own event-loop delay over the trial
   * (a pause of the bench process stretches every answer it was waiting for). `server`: the order
   * service's own count of `POST /orders` 202s (its `http_server_request_duration_seconds`, from parsing
   * the request to the answer) over 100 ms and over 250 ms, beside the client's counts of the same.
   */
  readonly where?: {
    readonly clientLoopDelayMs: { readonly p99: number; readonly max: number };
    readonly acceptedOver100Ms: { readonly client: number; readonly server: number };
    readonly acceptedOver250Ms: { readonly client: number; readonly server: number };
  };
  /** Accepted orders not terminal 60 s after the last arrival. */
  readonly unfinished: number;
  /** Whether it met {@link OVERLOAD}'s bounds. */
  readonly held: boolean;
  readonly failures: string[];
}

/**
 * Offers `rate` orders/s (open loop, as the other trials) for `durationS`, then waits for the accepted
 * orders to settle. Every request must be answered within a second, 202 or 503 "not now", and the
 * accepted ones keep their latency.
 */
export async function runOverloadTrial(
  target: BenchTarget,
  rate: number,
  options: { durationS: number; log: (line: string) => void },
): Promise<OverloadResult> {
  const watch = new TerminalWatch(target.databaseUrls.order);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  try {
    await waitForQuietMachine();
    const serverBefore = await acceptedOver(target);
    loopDelay.enable();
    const loop = await offerLoad(target, rate, options.durationS, watch);
    loopDelay.disable();
    const serverAfter = await acceptedOver(target);
    await waitFor(() => watch.openCount === 0 || undefined, {
      timeoutMs: 60_000,
      intervalMs: 50,
      what: 'the accepted orders to settle',
    }).catch(() => undefined);
    const statuses: Record<string, number> = {};
    for (const { status } of loop.answers) statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
    const inTime = loop.answers.filter(
      (a) => (a.status === 202 || a.status === 503) && a.ms <= OVERLOAD.answerWithinMs,
    ).length;
    const acceptedAnswer = summarise(loop.answers.filter((a) => a.status === 202).map((a) => a.ms));
    const refusedAnswer = summarise(loop.answers.filter((a) => a.status === 503).map((a) => a.ms));
    const settle = summarise(
      loop.placed
        .filter((o) => watch.terminalAt.has(o.orderId))
        .map((o) => watch.terminalAt.get(o.orderId)! - o.acceptedAt),
    );
    const failures: string[] = [];
    if (inTime < loop.sent)
      failures.push(
        `${loop.sent - inTime} of ${loop.sent} requests not answered 202/503 within ${OVERLOAD.answerWithinMs} ms`,
      );
    if (!(acceptedAnswer.p99Ms <= OVERLOAD.acceptedP99Ms))
      failures.push(`accepted p99 ${acceptedAnswer.p99Ms} ms > ${OVERLOAD.acceptedP99Ms} ms`);
    const slowest = loop.answers
      .filter((a) => a.status === 202)
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 12)
      .map((a) => ({ sentAtMs: Math.round(a.sentAtMs), ms: Math.round(a.ms) }));
    const accepted = loop.answers.filter((a) => a.status === 202);
    const where = serverBefore &&
      serverAfter && {
        clientLoopDelayMs: {
          p99: Math.round(loopDelay.percentile(99) / 1e4) / 100,
          max: Math.round(loopDelay.max / 1e4) / 100,
        },
        acceptedOver100Ms: {
          client: accepted.filter((a) => a.ms > 100).length,
          server: serverAfter.over100 - serverBefore.over100,
        },
        acceptedOver250Ms: {
          client: accepted.filter((a) => a.ms > 250).length,
          server: serverAfter.over250 - serverBefore.over250,
        },
      };
    const result: OverloadResult = {
      rate,
      durationS: options.durationS,
      sent: loop.sent,
      statuses,
      answeredInTime: inTime,
      acceptedAnswer,
      refusedAnswer,
      acceptedPerSecond: Math.round((loop.placed.length / options.durationS) * 10) / 10,
      settle,
      slowest,
      ...(where ? { where } : {}),
      unfinished: watch.openCount,
      held: failures.length === 0,
      failures,
    };
    options.log(
      `${target.name} overloaded @ ${rate}/s: ${JSON.stringify(statuses)}; accepted ${result.acceptedPerSecond}/s, ` +
        `answer p99 ${acceptedAnswer.p99Ms} ms (202) / ${refusedAnswer.p99Ms} ms (503); settle p50 ${settle.p50Ms} ms, p99 ${settle.p99Ms} ms → ` +
        (result.held ? 'held' : failures.join('; ')) +
        (where
          ? `; over 100 / 250 ms: client ${where.acceptedOver100Ms.client} / ${where.acceptedOver250Ms.client}, ` +
            `order service ${where.acceptedOver100Ms.server} / ${where.acceptedOver250Ms.server}; ` +
            `bench event-loop delay p99 ${where.clientLoopDelayMs.p99} ms, max ${where.clientLoopDelayMs.max} ms`
          : ''),
    );
    return result;
  } finally {
    await watch.close();
  }
}

/**
 * From a scrape of the order service's `/metrics`: how many `POST /orders` it answered 202 in over
 * 100 ms and over 250 ms so far (its histogram's buckets), or undefined where it has no such histogram.
 */
export function acceptedOverFromMetrics(text: string): { over100: number; over250: number } | undefined {
  const metrics = parseMetrics(text);
  if (metrics.matching('http_server_request_duration_seconds_bucket').length === 0) return undefined;
  const labels = { method: 'POST', route: '/orders', status_code: '202' };
  const bucket = (le: string) =>
    metrics.sum('http_server_request_duration_seconds_bucket', { ...labels, le });
  const total = bucket('+Inf');
  return { over100: total - bucket('0.1'), over250: total - bucket('0.25') };
}

/** {@link acceptedOverFromMetrics} of the target's order service now; undefined if it does not answer. */
async function acceptedOver(target: BenchTarget): Promise<{ over100: number; over250: number } | undefined> {
  try {
    const response = await fetch(new URL('/metrics', target.ordersUrl), {
      signal: AbortSignal.timeout(5000),
    });
    return response.ok ? acceptedOverFromMetrics(await response.text()) : undefined;
  } catch {
    return undefined;
  }
}
