import { availabilityHeld, dataHeld, type ChaosReport } from './chaos-verdict';

const SHOWN = 10;

/** The report `npm run chaos` prints: what ran, what was injected, what the audit found, and the verdict. */
export function formatChaosReport(report: ChaosReport): string {
  const { options: o, duplicates: d, deadLetters: dl, availability: a } = report;
  const list = (items: readonly string[]) =>
    items
      .slice(0, SHOWN)
      .map((item) => `      ${item}`)
      .concat(items.length > SHOWN ? [`      … and ${items.length - SHOWN} more`] : []);
  const lines = [
    '',
    `chaos run — seed ${o.seed}: ${o.orders} orders at ${o.rate}/s, ${o.instances} instance(s) per service, ${o.brokers} broker(s), ${o.relay} relay`,
    '',
    'faults injected',
    ...report.faults.map(
      (fault) =>
        `  ${fault.atS.toFixed(1).padStart(7)} s  ${fault.what} (${fault.tookS.toFixed(1)} s)${fault.error ? `  NOT INJECTED: ${fault.error}` : ''}`,
    ),
    '',
    'result',
    `  orders placed (202)          ${report.placed} of ${report.sent} sent (${report.retries} request(s) retried on another instance)`,
    ...(report.notPlaced.length ? ['  never accepted:', ...list(report.notPlaced)] : []),
    `  orders settled               ${report.settled} of ${report.placed}`,
    ...(report.unsettled.length ? ['  not settled:', ...list(report.unsettled)] : []),
    `  outcomes                     ${Object.entries(report.outcomes)
      .map(([what, count]) => `${what} ${count}`)
      .join(', ')}`,
    `  orders vs clients            ${report.orderMismatches.length === 0 ? 'every accepted key is one order, no other order' : `${report.orderMismatches.length} mismatch(es)`}`,
    ...list(report.orderMismatches),
    `  invariant violations         ${report.violations.length}`,
    ...list(
      report.violations.map(
        (v) => `[invariant ${v.invariant}] ${v.orderId ? `order ${v.orderId}: ` : ''}${v.message}`,
      ),
    ),
    `  e-mails re-delivered         ${report.mailRedeliveries.length} (same Message-ID; at most one per killed notification instance: ${report.notificationKills} killed)`,
    ...list(report.mailRedeliveries.map((v) => `order ${v.orderId}: ${v.message}`)),
    `  lost events                  ${report.lostEvents}`,
    `  duplicates absorbed          ${d.absorbed} deliveries of ${d.inLog} duplicate record(s) in the log (${d.injected} injected, ${Math.max(0, d.inLog - d.injected)} re-sent by relays)`,
    `  dead letters                 ${dl.total}: ${dl.found}/${dl.expected} poison deliveries parked with their reason, ${dl.unexpected.length} other`,
    ...list(dl.problems),
    ...(dl.unexpected.length ? ['  good records dead-lettered:', ...list(dl.unexpected)] : []),
    `  time to settle               ${report.settleAfterLastFaultS.toFixed(1)} s after the last fault, ${report.settleAfterTrafficS.toFixed(1)} s after the last order`,
    `  audited                      ${report.placed} orders, ${report.records} records, ${report.mails} e-mails`,
    `  run time                     ${report.durationS.toFixed(0)} s`,
    '',
    'availability (every try of every request)',
    `  requests                     ${a.requests}: ${a.answered['2xx']} 2xx, ${a.answered['4xx']} 4xx, ${a.answered['503']} 503 (not now, Retry-After), ${a.answered['5xx']} other 5xx`,
    ...Object.entries(a.notNow).map(([why, n]) => `    503 ${String(n).padStart(6)} × ${why}`),
    `  refused or cut               ${a.refused} (the instance was killed; the client tried the other one)`,
    `  no answer within ${(a.timeoutMs / 1000).toFixed(0)} s        ${a.timedOut}`,
    ...list(a.timedOutShown),
    ...(a.timedOut
      ? [
          `    sent in: ${Object.entries(a.timedOutBySecond ?? {})
            .map(([when, n]) => `${when} ${n}`)
            .join(', ')}`,
        ]
      : []),
    `  answer time                  p99 ${a.p99Ms} ms, slowest ${a.slowestMs} ms`,
    '',
    dataHeld(report)
      ? 'DATA HELD: 0 violations, 0 lost events, every order settled, every poison record dead-lettered with its reason, no e-mail re-delivered beyond the crash window'
      : 'DATA FAILED: see above',
    availabilityHeld(report)
      ? `AVAILABLE: every request answered within ${(a.timeoutMs / 1000).toFixed(0)} s, with 2xx, 4xx or 503`
      : 'NOT AVAILABLE: requests went unanswered or failed with a 5xx other than 503; see above',
    '',
  ];
  return lines.join('\n');
}
