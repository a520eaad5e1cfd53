import { join, resolve } from 'node:path';
import type { BrokerSasl } from '../kafka-broker-sasl';
import { REPO_ROOT, localDir } from '../local-paths';

/** The broker's Maven project, server.properties template and log4j settings. */
export const KAFKA_INFRA = join(REPO_ROOT, 'infra', 'kafka');

/** Where one local broker (a KRaft node) keeps its jars, config, data, logs and pid file. */
export interface BrokerSettings {
  /** The node's id in its cluster (1 alone). */
  readonly nodeId: number;
  /** Client port (PLAINTEXT listener). */
  readonly port: number;
  /** KRaft controller port. */
  readonly controllerPort: number;
  /** `controller.quorum.voters`: every node of the cluster, `id@host:controllerPort`, comma-separated. */
  readonly quorumVoters: string;
  /** Replicas of every topic (1 alone, 3 in a cluster). */
  readonly replicationFactor: number;
  /** Replicas that must have a record before an `acks=-1` write is acknowledged. */
  readonly minInsyncReplicas: number;
  /** State folder: `kafka/` under the local dir (a cluster: `kafka-cluster/node-<id>/`). */
  readonly home: string;
  /** The file holding the cluster id every node is formatted with. */
  readonly clusterIdFile: string;
  /** The broker's jars, fetched by Maven once (`KAFKA_LIB_DIR`); shared by every local dir. */
  readonly lib: string;
  /** Maximum Java heap, e.g. `512m`. */
  readonly heap: string;
  /** More JVM options, after the platform's own (`KAFKA_OPTS`, as Kafka's scripts read it). */
  readonly jvmOptions: readonly string[];
  /** How long the broker may take to answer an admin call after its start. */
  readonly startTimeoutMs: number;
  /**
   * SASL/SCRAM on the client port instead of PLAINTEXT (a test broker), its users created at format
   * time. Unset (`infra:up`, clusters, chaos), the broker speaks PLAINTEXT.
   */
  readonly sasl?: BrokerSasl;
}

/** Reads the single broker's settings from the environment (`KAFKA_PORT`, `KAFKA_CONTROLLER_PORT`, …). */
export function brokerSettings(env: NodeJS.ProcessEnv = process.env): BrokerSettings {
  const controllerPort = Number(env.KAFKA_CONTROLLER_PORT || 9093);
  const home = join(localDir(env), 'kafka');
  return {
    nodeId: 1,
    port: Number(env.KAFKA_PORT || 9092),
    controllerPort,
    quorumVoters: `1@127.0.0.1:${controllerPort}`,
    replicationFactor: 1,
    minInsyncReplicas: 1,
    home,
    clusterIdFile: join(home, 'cluster-id'),
    ...sharedSettings(env),
  };
}

/**
 * The nodes of a local cluster of `size` KRaft nodes (`infra:up -- --brokers 3`): node n listens on
 * `KAFKA_CLUSTER_PORT` (9192) + 2(n-1) for clients and the port after it for the controller quorum, and
 * keeps its state under `kafka-cluster/node-<n>/`. Three nodes or more replicate every topic three times
 * with `min.insync.replicas=2` (docs/operations.md).
 */
export function clusterSettings(size: number, env: NodeJS.ProcessEnv = process.env): BrokerSettings[] {
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`--brokers: expected a positive integer, got ${size}`);
  const base = Number(env.KAFKA_CLUSTER_PORT || 9192);
  const root = join(localDir(env), 'kafka-cluster');
  const nodes = Array.from({ length: size }, (_, i) => ({
    nodeId: i + 1,
    port: base + 2 * i,
    controllerPort: base + 2 * i + 1,
  }));
  const quorumVoters = nodes.map((node) => `${node.nodeId}@127.0.0.1:${node.controllerPort}`).join(',');
  const { replicationFactor, minInsyncReplicas } = durability(size);
  return nodes.map((node) => ({
    ...node,
    quorumVoters,
    replicationFactor,
    minInsyncReplicas,
    home: join(root, `node-${node.nodeId}`),
    clusterIdFile: join(root, 'cluster-id'),
    ...sharedSettings(env),
    heap: env.KAFKA_HEAP || '384m',
  }));
}

/**
 * Replication for a cluster of `brokers` nodes: three copies where there are three nodes, and a write
 * acknowledged by two of them, so one node can fail with no acknowledged record lost and no write refused.
 */
export function durability(brokers: number): { replicationFactor: number; minInsyncReplicas: number } {
  const replicationFactor = Math.min(3, brokers);
  return { replicationFactor, minInsyncReplicas: replicationFactor >= 3 ? 2 : 1 };
}

function sharedSettings(env: NodeJS.ProcessEnv) {
  return {
    lib: env.KAFKA_LIB_DIR ? resolve(env.KAFKA_LIB_DIR) : join(localDir({}), 'kafka-lib'),
    heap: env.KAFKA_HEAP || '512m',
    jvmOptions: (env.KAFKA_OPTS ?? '').split(/\s+/).filter(Boolean),
    startTimeoutMs: Number(env.KAFKA_START_TIMEOUT_MS || 90_000),
  };
}

/** How many nodes the settings' cluster has (its quorum voters). */
export const clusterSize = (settings: BrokerSettings) => settings.quorumVoters.split(',').length;

/** The broker's bootstrap address. */
export function brokerAddress(settings: BrokerSettings): string {
  return `127.0.0.1:${settings.port}`;
}

/** Where a broker's files are: its jars, config, data, logs, pid file and cluster-id file. */
export const brokerPaths = (settings: BrokerSettings) => ({
  lib: settings.lib,
  config: join(settings.home, 'server.properties'),
  data: join(settings.home, 'data'),
  logs: join(settings.home, 'logs'),
  pid: join(settings.home, 'kafka.pid'),
  clusterId: settings.clusterIdFile,
});
