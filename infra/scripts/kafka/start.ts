import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@saga/common';
import { saslClientSecurity } from '../kafka-broker-sasl';
import { javaCommand, requireJava } from '../preflight';
import { isAlive, removePidFile, stopPid } from '../processes';
import { acquireStartLock } from '../start-lock';
import { ensureJars } from './jars';
import { brokerAnswers, brokerLogTail, runningBrokerPid } from './process';
import { brokerAddress, brokerPaths, clusterSize, type BrokerSettings } from './settings';
import { javaArgs, prepareStorage } from './storage';

/**
 * Starts a broker in the background and waits until it answers an admin call. Returns `false` (and
 * starts nothing) when one of ours already runs. On failure or timeout the broker is stopped and the
 * error carries the tail of its log.
 */
export async function startBroker(
  settings: BrokerSettings,
  log: (line: string) => void,
  onSpawn: (pid: number) => void = () => undefined,
): Promise<boolean> {
  return (await startBrokers([settings], log, onSpawn)).length > 0;
}

/**
 * Starts the nodes of a cluster that are not running yet, all at once (a KRaft node answers only once a
 * majority of the controller quorum is up), and waits until each answers and sees the whole cluster.
 * Returns the pids it started. On failure or timeout what it started is stopped, and the error carries
 * the tail of the failing node's log.
 */
export async function startBrokers(
  nodes: readonly BrokerSettings[],
  log: (line: string) => void,
  onSpawn: (pid: number) => void = () => undefined,
): Promise<number[]> {
  mkdirSync(nodes[0].home, { recursive: true });
  const release = await acquireStartLock(
    join(nodes[0].home, 'start.lock'),
    'Kafka',
    nodes[0].startTimeoutMs + 10_000,
    log,
  );
  try {
    return await startUnlocked(nodes, log, onSpawn);
  } finally {
    release();
  }
}

/** Formats (if needed) and spawns one node, detached; returns its pid and the cluster id it must report. */
function spawnNode(settings: BrokerSettings, lib: string, log: (line: string) => void) {
  const p = brokerPaths(settings);
  const clusterId = prepareStorage(settings, lib, log);
  const out = openSync(join(p.logs, 'stdout.log'), 'a');
  const child = spawn(javaCommand(), javaArgs(settings, lib, 'kafka.Kafka', [p.config]), {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error('Kafka could not be started: no pid');
  }
  child.unref();
  writeFileSync(p.pid, String(pid));
  log(`Kafka starting (pid ${pid}) on ${brokerAddress(settings)}; logs in ${p.logs}`);
  return { settings, pid, clusterId };
}

async function startUnlocked(
  nodes: readonly BrokerSettings[],
  log: (line: string) => void,
  onSpawn: (pid: number) => void,
): Promise<number[]> {
  const idle = nodes.filter((node) => {
    const running = runningBrokerPid(node);
    if (running !== undefined) {
      log(`Kafka is already running (pid ${running}) on ${brokerAddress(node)}; not starting another.`);
    }
    return running === undefined;
  });
  if (idle.length === 0) return [];
  requireJava();
  const lib = ensureJars(idle[0], log);
  const started: ReturnType<typeof spawnNode>[] = [];
  try {
    for (const node of idle) {
      started.push(spawnNode(node, lib, log));
      onSpawn(started[started.length - 1].pid);
    }
    for (const node of started) await waitUntilReady(node);
  } catch (error) {
    // Nothing this call started outlives its failure.
    for (const node of started) {
      if (isAlive(node.pid)) await stopPid(node.pid, 5000);
      removePidFile(brokerPaths(node.settings).pid);
    }
    throw error;
  }
  for (const node of started) log(`Kafka is ready on ${brokerAddress(node.settings)}.`);
  return started.map((node) => node.pid);
}

/**
 * Ready means: our process is alive and the broker answering is ours (same cluster id, not a foreign
 * one that happens to hold the port) and sees every node of its cluster.
 */
async function waitUntilReady({ settings, pid, clusterId }: ReturnType<typeof spawnNode>): Promise<void> {
  const security = saslClientSecurity(settings.sasl);
  const outcome = await waitFor(
    async () => {
      if (!isAlive(pid)) {
        return 'exited' as const;
      }
      const answers = await brokerAnswers(
        [brokerAddress(settings)],
        2000,
        clusterId,
        clusterSize(settings),
        security,
      );
      return answers ? ('ready' as const) : undefined;
    },
    {
      timeoutMs: settings.startTimeoutMs,
      intervalMs: 250,
      what: `Kafka to answer on ${brokerAddress(settings)}`,
    },
  ).catch(() => 'timed out' as const);
  if (outcome !== 'ready' || !isAlive(pid)) {
    const reason =
      outcome === 'timed out'
        ? `Kafka did not answer on ${brokerAddress(settings)} within ${settings.startTimeoutMs} ms and was stopped`
        : `Kafka (${brokerAddress(settings)}) exited during start-up`;
    throw new Error(`${reason}. The end of its log:\n${brokerLogTail(settings)}`);
  }
}
