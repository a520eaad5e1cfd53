import { Kafka, logLevel } from 'kafkajs';
import type { PlatformServiceName } from '@saga/contracts';
import { poisonRecords, produce } from '../chaos/chaos-records';
import { terminateConnections } from '../chaos/terminate-connections';
import { BrokerFreezer, FreezeRefused } from './broker-freezer';
import { ControlError, type ChaosActions } from './control-server';
import type { Supervisor } from './supervisor';

/** What the demo's chaos panel acts on. */
export interface DemoChaosTargets {
  readonly supervisor: Supervisor;
  readonly freezer: BrokerFreezer;
  /** The database each service uses (the name in its `DATABASE_URL`). */
  readonly databases: Readonly<Record<PlatformServiceName, string>>;
  readonly brokers: readonly string[];
  /** `KAFKA_TOPIC_PREFIX` of the demo's services. */
  readonly topicPrefix: string;
  readonly log: (line: string) => void;
}

/**
 * The chaos panel's faults, with the chaos run's own pieces: SIGKILL of an instance (the supervisor
 * restarts it), SIGSTOP of the broker for a while, `pg_terminate_backend` of a service database's
 * connections, and one of the chaos run's poison records, which must end in a dead-letter topic.
 */
export function demoChaos(targets: DemoChaosTargets): ChaosActions {
  const { supervisor, freezer, log } = targets;
  const kafka = new Kafka({
    clientId: 'saga-demo-chaos',
    brokers: [...targets.brokers],
    logLevel: logLevel.NOTHING,
  });
  let poisoned = 0;
  return {
    kill(instance) {
      if (!supervisor.get(instance)) throw new ControlError(404, `no instance ${instance}`);
      if (!supervisor.signal(instance, 'SIGKILL')) {
        throw new ControlError(409, `${instance} is not running (${supervisor.get(instance)!.state})`);
      }
      log(`chaos: kill -9 ${instance}`);
      return supervisor.get(instance);
    },
    freezeBroker(seconds) {
      try {
        const state = freezer.freeze(seconds);
        log(`chaos: broker (pid ${state.pid}) frozen for ${seconds} s`);
        return state;
      } catch (error) {
        if (error instanceof FreezeRefused) throw new ControlError(409, error.message);
        throw error;
      }
    },
    async cutDatabase(service) {
      const database = targets.databases[service];
      const connections = await terminateConnections(database);
      log(`chaos: pg_terminate_backend of ${connections} connection(s) to ${database}`);
      return { service, database, connections };
    },
    async poison({ topic, kind }) {
      poisoned += 1;
      const record = poisonRecords(`demo-${process.pid}-${poisoned}`).find(
        (candidate) => candidate.topic === topic && candidate.kind === kind,
      )!;
      await produce(kafka, targets.topicPrefix, [record]);
      log(
        `chaos: poison (${kind}) on ${topic}, key ${record.key}; dead-lettered by ${record.deadLetteredBy.join(', ')}`,
      );
      return {
        topic,
        kind,
        key: record.key,
        reason: record.reason,
        deadLetteredBy: record.deadLetteredBy,
      };
    },
  };
}
