import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { redactScram, scramFormatArgs, withSaslListener } from '../kafka-broker-sasl';
import { javaCommand } from '../preflight';
import { KAFKA_INFRA, brokerPaths, type BrokerSettings } from './settings';

/** Fills the placeholders of infra/kafka/server.properties. */
export function renderServerProperties(template: string, values: Record<string, string | number>): string {
  return template.replace(/\$\{(\w+)\}/g, (placeholder, name: string) => {
    if (!(name in values)) {
      throw new Error(`server.properties: no value for ${placeholder}`);
    }
    return String(values[name]);
  });
}

/**
 * A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (as `kafka-storage random-uuid`),
 * never starting with '-': the storage tool would read such an id as an option (Kafka's own
 * Uuid.randomUuid() avoids it for the same reason).
 */
export function newClusterId(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The JVM's arguments to run `mainClass` of the broker's jars with `args`. */
export function javaArgs(settings: BrokerSettings, lib: string, mainClass: string, args: string[]) {
  const { logs } = brokerPaths(settings);
  return [
    `-Xms${settings.heap}`,
    `-Xmx${settings.heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    ...settings.jvmOptions,
    `-Dlog4j.configuration=file:${join(KAFKA_INFRA, 'log4j.properties')}`,
    `-Dkafka.logs.dir=${logs}`,
    '-cp',
    `${lib}/*`,
    mainClass,
    ...args,
  ];
}

/** Writes server.properties, formats the storage folder if it never was, and returns the cluster id. */
export function prepareStorage(settings: BrokerSettings, lib: string, log: (line: string) => void): string {
  const p = brokerPaths(settings);
  mkdirSync(p.logs, { recursive: true });
  const template = readFileSync(join(KAFKA_INFRA, 'server.properties'), 'utf8');
  const properties = renderServerProperties(template, {
    NODE_ID: settings.nodeId,
    QUORUM_VOTERS: settings.quorumVoters,
    KAFKA_PORT: settings.port,
    CONTROLLER_PORT: settings.controllerPort,
    DATA_DIR: p.data,
    REPLICATION_FACTOR: settings.replicationFactor,
    MIN_INSYNC_REPLICAS: settings.minInsyncReplicas,
  });
  if (settings.sasl) {
    // The file holds the broker's SCRAM password: readable by its owner only.
    writeFileSync(p.config, withSaslListener(properties, settings.sasl, settings), { mode: 0o600 });
  } else {
    writeFileSync(p.config, properties);
  }
  const formatted = readMetaClusterId(join(p.data, 'meta.properties'));
  if (formatted) {
    return formatted;
  }
  // Every node of a cluster is formatted with the same id, kept in one file.
  const clusterId = existsSync(p.clusterId) ? readFileSync(p.clusterId, 'utf8').trim() : newClusterId();
  mkdirSync(dirname(p.clusterId), { recursive: true });
  writeFileSync(p.clusterId, clusterId);
  log(`Formatting Kafka storage in ${p.data} (cluster ${clusterId})…`);
  const result = spawnSync(
    javaCommand(),
    javaArgs(settings, lib, 'kafka.tools.StorageTool', [
      'format',
      '-t',
      clusterId,
      '-c',
      p.config,
      '--ignore-formatted',
      ...(settings.sasl ? scramFormatArgs(settings.sasl) : []),
    ]),
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(
      `Formatting Kafka storage failed (exit ${result.status}):\n${redactScram(`${result.stdout}${result.stderr}`, settings.sasl)}`,
    );
  }
  return clusterId;
}

/** The cluster id a formatted storage folder belongs to (from its meta.properties). */
function readMetaClusterId(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  return /^cluster\.id=(.+)$/m.exec(readFileSync(file, 'utf8'))?.[1]?.trim();
}
