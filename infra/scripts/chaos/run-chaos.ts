import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@saga/contracts';
import { ProcessPlatform, SagaHarness, testKafka, testTokenIssuer, type Violation } from '@saga/testing';
import { DEMO_PRODUCTS } from '../../../apps/inventory/src/seed/demo-seed';
import { serviceEntry } from '../build-services';
import { seededRandom, shuffled } from '../demo-traffic/traffic-mix';
import { killBroker, startBrokers, type BrokerSettings } from '../kafka-broker';
import type { ChaosOptions } from './chaos-options';
import {
  SAGA_TOPICS,
  checkDeadLetters,
  duplicateBurst,
  poisonRecords,
  produce,
  type DeadLetterCheck,
  type PoisonRecord,
} from './chaos-records';
import { compareOrders, countDuplicates, waitForTerminal } from './chaos-checks';
import { gatherEvidence, type OrderEvidence } from './chaos-evidence';
import { ChaosTraffic, type Availability, type TrafficOutcome } from './chaos-traffic';
import { terminateConnections } from './terminate-connections';

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

/** Where the run's platform lives: the broker nodes (for broker kills) and a folder for the services' logs. */
export interface ChaosEnvironment {
  readonly brokerNodes: readonly BrokerSettings[];
  /** Starts a killed broker node again (and waits until it is back in the cluster). */
  readonly restartBroker?: (node: BrokerSettings) => Promise<void>;
  readonly logDir: string;
  readonly log: (line: string) => void;
}

const DUPLICATES_PER_BURST = 500;
/** How long a killed service instance or broker stays down before it is started again. */
const DOWNTIME_MS = { service: [500, 3000], broker: [5000, 10_000] } as const;

/**
 * A chaos run: a private copy of the platform with `instances` processes per service, open-loop traffic,
 * and the faults spread evenly over the traffic in a seeded random order. Then it waits until the
 * platform is quiet, audits docs/design.md's invariants over the databases, the Kafka log and the e-mails,
 * and checks the dead-letter topics. Everything it made is removed at the end.
 */
export async function runChaos(options: ChaosOptions, environment: ChaosEnvironment): Promise<ChaosReport> {
  const { log } = environment;
  // Two streams: the traffic's and the faults' draws must not depend on how their timings interleave.
  const random = seededRandom(options.seed ^ 0x5eed);
  const started = performance.now();
  const seconds = (from = started) => (performance.now() - from) / 1000;
  log(
    `Starting ${options.instances} instance(s) of each service on ${options.brokers} broker(s) (seed ${options.seed})…`,
  );
  const platform = await ProcessPlatform.start({
    label: 'chaos',
    instances: options.instances,
    entry: serviceEntry,
    logDir: environment.logDir,
  });
  let saga: SagaHarness<ProcessPlatform> | undefined;
  try {
    saga = await SagaHarness.over(
      platform,
      DEMO_PRODUCTS.map((product) => product.sku),
    );
    const kafka = testKafka('saga-chaos');
    const poison: PoisonRecord[] = [];
    let injectedDuplicates = 0;
    const faults: FaultRecord[] = [];

    /** Each fault: its description, and the work (resolves once it is over: restarted, produced, …). */
    const plan: (() => Promise<string>)[] = shuffled(
      [
        ...times(options.kills, () => async () => {
          const candidates = platform.running();
          const victim = candidates[Math.floor(random() * candidates.length)];
          await platform.kill(victim);
          await pause(between(random, DOWNTIME_MS.service));
          await platform.startInstance(victim);
          return `kill -9 ${victim.service}-${victim.index}, restarted`;
        }),
        ...times(options.brokerKills, () => async () => {
          const node = environment.brokerNodes[Math.floor(random() * environment.brokerNodes.length)];
          const pid = killBroker(node);
          await pause(between(random, DOWNTIME_MS.broker));
          await (environment.restartBroker ?? ((n) => startBrokers([n], () => undefined)))(node);
          return `kill -9 broker ${node.nodeId} (pid ${pid}), restarted`;
        }),
        ...times(options.dbTerminations, () => async () => {
          const service = SERVICE_NAMES[Math.floor(random() * SERVICE_NAMES.length)];
          const count = await terminateConnections(platform.databases[service].name);
          return `pg_terminate_backend: ${count} connection(s) of ${service}`;
        }),
        ...times(options.duplicateBursts, () => async () => {
          const count = await duplicateBurst(kafka, platform.topicPrefix, DUPLICATES_PER_BURST, random);
          injectedDuplicates += count;
          return `${count} records produced again`;
        }),
        ...(options.poison
          ? [
              async () => {
                const records = poisonRecords(String(options.seed));
                await produce(kafka, platform.topicPrefix, records);
                poison.push(...records);
                return `${records.length} poison records (${SAGA_TOPICS.length} topics × 4 kinds)`;
              },
            ]
          : []),
      ],
      random,
    );

    log(`Placing ${options.orders} orders at ${options.rate}/s with ${plan.length} faults among them…`);
    const trafficStarted = performance.now();
    const traffic = new ChaosTraffic(platform.urls('order'), {
      ...options,
      // The copy trusts this process's test issuer (copyServiceEnv).
      token: await testTokenIssuer().mint({ admin: 'chaos' }),
      random: seededRandom(options.seed),
      since: started,
    }).run();
    const trafficS = options.orders / options.rate;
    let lastFaultEnd = performance.now();
    for (const [index, fault] of plan.entries()) {
      const due = trafficStarted + ((index + 1) * trafficS * 1000) / (plan.length + 1);
      await pause(due - performance.now());
      const at = performance.now();
      let what: string;
      let error: string | undefined;
      try {
        what = await fault();
      } catch (thrown) {
        what = 'fault not injected';
        error = (thrown as Error).message.split('\n')[0];
      }
      lastFaultEnd = performance.now();
      const record = { atS: (at - started) / 1000, what, tookS: seconds(at), error };
      faults.push(record);
      log(
        `  fault ${index + 1}/${plan.length} at ${record.atS.toFixed(1)} s: ${what}${error ? ` (${error})` : ''}`,
      );
    }
    const outcome: TrafficOutcome = await traffic;
    log(
      `Traffic done: ${outcome.accepted.length}/${outcome.sent} accepted, ${outcome.retries} request(s) retried; waiting for the platform to settle…`,
    );

    const orderIds = outcome.accepted.map((order) => order.orderId);
    const unsettled = await waitForTerminal(saga, orderIds, options.settleTimeoutS * 1000, log);
    await saga.waitForDrain(options.settleTimeoutS * 1000);
    const settleAfterLastFaultS = seconds(lastFaultEnd);
    const settleAfterTrafficS = seconds(outcome.endedAt);

    log('Auditing the databases, the Kafka log and the e-mails…');
    const audit = await saga.audit();
    const deadLetters = await checkDeadLetters(kafka, platform.topicPrefix, poison);
    const duplicates = await countDuplicates(kafka, platform.topicPrefix);
    const rows = await saga.query<{ status: string; reason: string | null; count: string }>(
      'order',
      'SELECT status, reason, count(*) FROM orders GROUP BY status, reason ORDER BY count(*) DESC',
    );
    const outcomes: Record<string, number> = {};
    for (const row of rows) {
      // "OUT_OF_STOCK LAPTOP-PRO (0/2)" counts as "OUT_OF_STOCK": the outcome, not the SKU.
      const reason = row.reason?.replace(/ [A-Z0-9-]+ \(\d+\/\d+\)(, .*)?$/, '');
      const what = `${row.status}${reason ? ` (${reason})` : ''}`;
      outcomes[what] = (outcomes[what] ?? 0) + Number(row.count);
    }
    const orderMismatches = await compareOrders(saga, outcome);
    const lostEvents = audit.violations.filter((violation) => violation.invariant === 7).length;
    const mailRedeliveries = audit.violations.filter((violation) => violation.redelivery);
    const flagged = [
      ...audit.violations.filter((violation) => !violation.redelivery).map((violation) => violation.orderId),
      ...unsettled.map((entry) => entry.split(' ')[0]),
    ].filter((id): id is string => !!id);
    const evidence = await gatherEvidence(saga, kafka, platform.topicPrefix, environment.logDir, [
      ...new Set(flagged),
    ]);
    if (evidence.length > 0)
      writeFileSync(join(environment.logDir, 'evidence.json'), `${JSON.stringify(evidence, null, 2)}\n`);
    return {
      options,
      sent: outcome.sent,
      placed: outcome.accepted.length,
      notPlaced: outcome.failed,
      retries: outcome.retries,
      settled: orderIds.length - unsettled.length,
      unsettled,
      outcomes,
      orderMismatches,
      violations: audit.violations.filter((violation) => !violation.redelivery),
      mailRedeliveries,
      notificationKills: faults.filter((fault) => fault.what.startsWith('kill -9 notification-')).length,
      lostEvents,
      faults,
      settleAfterLastFaultS,
      settleAfterTrafficS,
      duplicates: { injected: injectedDuplicates, ...duplicates },
      deadLetters,
      records: audit.counted.records ?? 0,
      mails: platform.smtp.mails.length,
      durationS: seconds(),
      availability: outcome.availability,
      evidence,
    };
  } finally {
    await (saga ?? platform).destroy();
  }
}

function times<T>(count: number, make: () => T): T[] {
  return Array.from({ length: count }, make);
}

function between(random: () => number, [min, max]: readonly [number, number]): number {
  return min + Math.floor(random() * (max - min));
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
