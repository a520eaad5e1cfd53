import { waitFor } from '@saga/common';
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
  try {
    await waitForQuietMachine();
    const loop = await offerLoad(target, rate, options.durationS, watch);
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
      unfinished: watch.openCount,
      held: failures.length === 0,
      failures,
    };
    options.log(
      `${target.name} overloaded @ ${rate}/s: ${JSON.stringify(statuses)}; accepted ${result.acceptedPerSecond}/s, ` +
        `answer p99 ${acceptedAnswer.p99Ms} ms (202) / ${refusedAnswer.p99Ms} ms (503); settle p50 ${settle.p50Ms} ms, p99 ${settle.p99Ms} ms → ` +
        (result.held ? 'held' : failures.join('; ')),
    );
    return result;
  } finally {
    await watch.close();
  }
}
