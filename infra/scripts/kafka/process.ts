import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaSecurity } from '@saga/platform/config/kafka-security';
import { livePid, removePidFile, stopPid } from '../processes';
import { brokerAddress, brokerPaths, type BrokerSettings } from './settings';

/** The pid of the broker these scripts started, if it runs. */
export function runningBrokerPid(settings: BrokerSettings): number | undefined {
  // The broker's command line names its own server.properties: that is what makes a pid ours.
  return livePid(brokerPaths(settings).pid, brokerPaths(settings).config);
}

/**
 * Whether a broker answers an admin call at `brokers` within `timeoutMs` — and, when `clusterId` is
 * given, whether it belongs to that cluster (so a foreign broker on the port never counts as ours) and
 * sees at least `clusterSize` live brokers (a cluster node is ready once the whole cluster is).
 * `security`: the SASL/TLS settings of a broker that wants them.
 */
export async function brokerAnswers(
  brokers: readonly string[],
  timeoutMs = 3000,
  clusterId?: string,
  clusterSize = 1,
  security: KafkaSecurity = {},
): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'saga-infra',
    brokers: [...brokers],
    ...security,
    connectionTimeout: Math.min(timeoutMs, 1000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return (
      cluster.brokers.length >= clusterSize && (clusterId === undefined || cluster.clusterId === clusterId)
    );
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The last `lines` lines of the broker's logs, for a failure message. */
export function brokerLogTail(settings: BrokerSettings, lines = 40): string {
  const { logs } = brokerPaths(settings);
  return (
    ['server.log', 'stdout.log']
      .map((name) => join(logs, name))
      .filter((file) => existsSync(file) && readFileSync(file, 'utf8').trim() !== '')
      .map(
        (file) =>
          `--- ${file} (last ${lines} lines) ---\n${readFileSync(file, 'utf8')
            .split('\n')
            .slice(-lines - 1)
            .join('\n')}`,
      )
      .join('\n') || '(the broker wrote no log yet)'
  );
}

/**
 * Stops the broker these scripts started, by the pid in its pid file — or only if that pid is `onlyPid`
 * (a run stopping the broker it spawned itself). Returns whether one was running.
 */
export async function stopBroker(
  settings: BrokerSettings,
  log: (line: string) => void,
  onlyPid?: number,
): Promise<boolean> {
  const p = brokerPaths(settings);
  const pid = runningBrokerPid(settings);
  if (onlyPid !== undefined && pid !== onlyPid) {
    return false;
  }
  if (pid === undefined) {
    removePidFile(p.pid);
    return false;
  }
  const how = await stopPid(pid, 30_000);
  removePidFile(p.pid);
  log(
    `Kafka (pid ${pid}, ${brokerAddress(settings)}) stopped${how === 'killed' ? ' (killed after 30 s)' : ''}.`,
  );
  return true;
}

/**
 * Kills a node at once (SIGKILL: no controlled shutdown, no flush), as a crash would — for fault
 * injection. Returns its pid, or undefined when it was not running.
 */
export function killBroker(settings: BrokerSettings): number | undefined {
  const pid = runningBrokerPid(settings);
  if (pid !== undefined) process.kill(pid, 'SIGKILL');
  return pid;
}
