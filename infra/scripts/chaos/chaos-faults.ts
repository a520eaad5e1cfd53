import type { Kafka } from 'kafkajs';
import { SERVICE_NAMES } from '@saga/contracts';
import type { ProcessPlatform } from '@saga/testing';
import { shuffled } from '../demo-traffic/traffic-mix';
import { killBroker, startBrokers, type BrokerSettings } from '../kafka-broker';
import type { ChaosOptions } from './chaos-options';
import { SAGA_TOPICS, duplicateBurst, poisonRecords, produce, type PoisonRecord } from './chaos-records';
import type { FaultRecord } from './chaos-verdict';
import { terminateConnections } from './terminate-connections';

const DUPLICATES_PER_BURST = 500;
/** How long a killed service instance or broker stays down before it is started again. */
const DOWNTIME_MS = { service: [500, 3000], broker: [5000, 10_000] } as const;

/** What the faults act on, and the seeded stream they draw their victims and downtimes from. */
export interface FaultTargets {
  readonly platform: ProcessPlatform;
  readonly kafka: Kafka;
  readonly brokerNodes: readonly BrokerSettings[];
  /** Starts a killed broker node again (and waits until it is back in the cluster). */
  readonly restartBroker?: (node: BrokerSettings) => Promise<void>;
  readonly random: () => number;
}

/** A run's faults in a seeded random order, and what they left for the checks. */
export interface FaultPlan {
  /** Each fault: the work (resolves once it is over: restarted, produced, …) and, as its result, its description. */
  readonly faults: (() => Promise<string>)[];
  /** The poison records produced so far (each must end in the dead-letter topics). */
  readonly poison: PoisonRecord[];
  /** How many records the duplicate bursts have produced again so far. */
  readonly injectedDuplicates: () => number;
}

/**
 * The faults `options` asks for — kill -9 of service instances and broker nodes (each started again
 * after a random downtime), `pg_terminate_backend` of a service's connections, duplicate bursts, and
 * the poison records — shuffled with `targets.random`.
 */
export function planFaults(options: ChaosOptions, targets: FaultTargets): FaultPlan {
  const { platform, kafka, random } = targets;
  const poison: PoisonRecord[] = [];
  let injectedDuplicates = 0;
  const faults: (() => Promise<string>)[] = shuffled(
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
        const node = targets.brokerNodes[Math.floor(random() * targets.brokerNodes.length)];
        const pid = killBroker(node);
        await pause(between(random, DOWNTIME_MS.broker));
        await (targets.restartBroker ?? ((n) => startBrokers([n], () => undefined)))(node);
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
  return { faults, poison, injectedDuplicates: () => injectedDuplicates };
}

/** When the traffic runs: its start and length, and the run's start (fault times are counted from it). */
export interface FaultSchedule {
  readonly started: number;
  readonly trafficStarted: number;
  readonly trafficS: number;
  readonly log: (line: string) => void;
}

/**
 * Injects the faults one after another, spread evenly over the traffic; a fault that fails is recorded
 * with its error and the run goes on. Returns what was injected and when the last fault was over.
 */
export async function injectFaults(
  plan: readonly (() => Promise<string>)[],
  { started, trafficStarted, trafficS, log }: FaultSchedule,
): Promise<{ faults: FaultRecord[]; lastFaultEnd: number }> {
  const faults: FaultRecord[] = [];
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
    const record = { atS: (at - started) / 1000, what, tookS: (performance.now() - at) / 1000, error };
    faults.push(record);
    log(
      `  fault ${index + 1}/${plan.length} at ${record.atS.toFixed(1)} s: ${what}${error ? ` (${error})` : ''}`,
    );
  }
  return { faults, lastFaultEnd };
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
