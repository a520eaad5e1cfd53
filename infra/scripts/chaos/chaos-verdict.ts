import type { Violation } from '@saga/testing';
import type { ChaosOptions } from './chaos-options';
import type { DeadLetterCheck } from './chaos-records';
import type { OrderEvidence } from './chaos-evidence';
import type { Availability } from './chaos-traffic';

/** One fault as injected: when (seconds into the run), what, and how long until it was over. */
export interface FaultRecord {
  readonly atS: number;
  readonly what: string;
  readonly tookS: number;
  /** Set when the fault could not be injected (the report shows it; the run still counts). */
  readonly error?: string;
}

/** Everything `npm run chaos` reports. */
export interface ChaosReport {
  readonly options: ChaosOptions;
  readonly sent: number;
  readonly placed: number;
  /** Orders never accepted after every retry (must be none). */
  readonly notPlaced: string[];
  readonly retries: number;
  readonly settled: number;
  /** Accepted orders not terminal at the end (must be none). */
  readonly unsettled: string[];
  /** Orders by final status and reason. */
  readonly outcomes: Record<string, number>;
  /** Orders in the database no client was told of, or told of and missing (must be none). */
  readonly orderMismatches: string[];
  /** Invariant violations, but for {@link mailRedeliveries}. */
  readonly violations: Violation[];
  /**
   * E-mails the SMTP server received twice with one Message-ID: the audit's invariant-6 findings that a
   * dispatcher killed between the server's `250` and recording the send leaves. Each killed notification
   * instance had at most one mail in flight, so there can be at most one per kill of one.
   */
  readonly mailRedeliveries: Violation[];
  readonly notificationKills: number;
  /** Invariant 7: records neither applied nor dead-lettered, events the databases imply but the log lacks. */
  readonly lostEvents: number;
  readonly faults: FaultRecord[];
  /** Seconds from the end of the last fault, and from the last order placed, until the platform was quiet. */
  readonly settleAfterLastFaultS: number;
  readonly settleAfterTrafficS: number;
  readonly duplicates: {
    /** Records produced again by the duplicate bursts. */
    readonly injected: number;
    /** Extra copies of a record (same `ce_id`) in the log: injected, and re-sent by relays after a kill. */
    readonly inLog: number;
    /** Deliveries of such copies to a service that handles them: each absorbed by its inbox. */
    readonly absorbed: number;
  };
  readonly deadLetters: DeadLetterCheck;
  readonly records: number;
  readonly mails: number;
  readonly durationS: number;
  /** How the clients' requests fared: answered in time or not, apart from what the data says. */
  readonly availability: Availability;
  /**
   * For each order a violation names or that did not settle: its rows, its records in the log and the
   * services' log lines about it, gathered before the copy is removed (also in `<logDir>/evidence.json`).
   */
  readonly evidence: OrderEvidence[];
}

/** Whether the data held: nothing lost, nothing applied twice, every poison record parked. */
export function dataHeld(report: ChaosReport): boolean {
  return (
    report.violations.length === 0 &&
    report.mailRedeliveries.length <= report.notificationKills &&
    report.mailRedeliveries.every((violation) => violation.redelivery?.copies === 2) &&
    report.lostEvents === 0 &&
    report.notPlaced.length === 0 &&
    report.unsettled.length === 0 &&
    report.orderMismatches.length === 0 &&
    report.deadLetters.problems.length === 0 &&
    report.deadLetters.unexpected.length === 0
  );
}

/**
 * Whether the API stayed available: every request answered within the client's timeout, with a status of
 * the contract — 2xx, 4xx, or 503 "not now" with `Retry-After` — and never another 5xx. A connection
 * refused by a killed instance is the fault itself, not counted against it.
 */
export function availabilityHeld(report: ChaosReport): boolean {
  return report.availability.timedOut === 0 && report.availability.answered['5xx'] === 0;
}

/** Whether the run proved the promise: the data held, and the API answered throughout. */
export function chaosPassed(report: ChaosReport): boolean {
  return dataHeld(report) && availabilityHeld(report);
}
