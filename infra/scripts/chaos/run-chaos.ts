import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testKafka, testTokenIssuer } from '@saga/test-kit';
import { ProcessPlatform, SagaHarness } from '@saga/testing';
import { DEMO_PRODUCTS } from '../../../apps/inventory/src/seed/demo-seed';
import { serviceEntry } from '../build-services';
import { seededRandom } from '../demo-traffic/traffic-mix';
import type { BrokerSettings } from '../kafka-broker';
import type { ChaosOptions } from './chaos-options';
import { checkDeadLetters } from './chaos-records';
import { compareOrders, countDuplicates, waitForTerminal } from './chaos-checks';
import { gatherEvidence } from './chaos-evidence';
import { injectFaults, planFaults } from './chaos-faults';
import { ChaosTraffic, type TrafficOutcome } from './chaos-traffic';
import { relayServer } from '../relay-server';
import type { ChaosReport } from './chaos-verdict';

/** Where the run's platform lives: the broker nodes (for broker kills) and a folder for the services' logs. */
export interface ChaosEnvironment {
  readonly brokerNodes: readonly BrokerSettings[];
  /** Starts a killed broker node again (and waits until it is back in the cluster). */
  readonly restartBroker?: (node: BrokerSettings) => Promise<void>;
  readonly logDir: string;
  readonly log: (line: string) => void;
}

/**
 * A chaos run: a private copy of the platform with `instances` processes per service, open-loop traffic,
 * and the faults spread evenly over the traffic in a seeded random order. Then it waits until the
 * platform is quiet, audits docs/design.md's invariants over the databases, the Kafka log and the e-mails,
 * and checks the dead-letter topics. Everything it made is removed at the end.
 */
export async function runChaos(options: ChaosOptions, environment: ChaosEnvironment): Promise<ChaosReport> {
  const server = await relayServer(options.relay, { label: 'chaos-wal' });
  try {
    return await chaosRun(options, environment, server.env);
  } finally {
    await server.restore();
  }
}

async function chaosRun(
  options: ChaosOptions,
  environment: ChaosEnvironment,
  env: Readonly<Record<string, string>>,
): Promise<ChaosReport> {
  const { log } = environment;
  // Two streams: the traffic's and the faults' draws must not depend on how their timings interleave.
  const random = seededRandom(options.seed ^ 0x5eed);
  const started = performance.now();
  const seconds = (from = started) => (performance.now() - from) / 1000;
  log(
    `Starting ${options.instances} instance(s) of each service on ${options.brokers} broker(s), ${options.relay} relay (seed ${options.seed})…`,
  );
  const platform = await ProcessPlatform.start({
    label: 'chaos',
    instances: options.instances,
    env,
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
    const plan = planFaults(options, {
      platform,
      kafka,
      brokerNodes: environment.brokerNodes,
      restartBroker: environment.restartBroker,
      random,
    });

    log(
      `Placing ${options.orders} orders at ${options.rate}/s with ${plan.faults.length} faults among them…`,
    );
    const trafficStarted = performance.now();
    const traffic = new ChaosTraffic(platform.urls('order'), {
      ...options,
      // The copy trusts this process's test issuer (copyServiceEnv).
      token: await testTokenIssuer().mint({ admin: 'chaos' }),
      random: seededRandom(options.seed),
      since: started,
    }).run();
    const trafficS = options.orders / options.rate;
    const { faults, lastFaultEnd } = await injectFaults(plan.faults, {
      started,
      trafficStarted,
      trafficS,
      log,
    });
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
    const deadLetters = await checkDeadLetters(kafka, platform.topicPrefix, plan.poison);
    const duplicates = await countDuplicates(kafka, platform.topicPrefix);
    const rows = await saga.query<{ status: string; reason: string | null; count: string }>(
      'order',
      'SELECT status, reason, count(*) FROM orders GROUP BY status, reason ORDER BY count(*) DESC',
    );
    const outcomes = countOutcomes(rows);
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
      duplicates: { injected: plan.injectedDuplicates(), ...duplicates },
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

/** Orders by final status and reason, from `SELECT status, reason, count(*) … GROUP BY status, reason`. */
function countOutcomes(rows: readonly { status: string; reason: string | null; count: string }[]) {
  const outcomes: Record<string, number> = {};
  for (const row of rows) {
    // "OUT_OF_STOCK LAPTOP-PRO (0/2)" counts as "OUT_OF_STOCK": the outcome, not the SKU.
    const reason = row.reason?.replace(/ [A-Z0-9-]+ \(\d+\/\d+\)(, .*)?$/, '');
    const what = `${row.status}${reason ? ` (${reason})` : ''}`;
    outcomes[what] = (outcomes[what] ?? 0) + Number(row.count);
  }
  return outcomes;
}
