import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireMaven } from '../preflight';
import { KAFKA_INFRA, brokerPaths, type BrokerSettings } from './settings';

const jarsStamp = (settings: BrokerSettings) => join(settings.lib, '.complete');

/** A digest of infra/kafka/pom.xml: the jars in the lib folder are valid only for the pom they came from. */
function pomDigest(): string {
  return createHash('sha256')
    .update(readFileSync(join(KAFKA_INFRA, 'pom.xml')))
    .digest('hex');
}

function jarsAreCurrent(settings: BrokerSettings): boolean {
  const stamp = jarsStamp(settings);
  return existsSync(stamp) && readFileSync(stamp, 'utf8').startsWith(pomDigest());
}

/** Fails with a clear message when the jars still have to be fetched and Maven is missing. */
export function requireJarsOrMaven(settings: BrokerSettings, env: NodeJS.ProcessEnv = process.env): void {
  if (!jarsAreCurrent(settings)) {
    requireMaven(env);
  }
}

/** Fetches the Kafka jars with Maven into the shared lib folder, once. */
export function ensureJars(settings: BrokerSettings, log: (line: string) => void): string {
  const { lib } = brokerPaths(settings);
  if (jarsAreCurrent(settings)) {
    return lib;
  }
  requireMaven();
  // A fresh folder: jars of an older pom must not mix with the new ones on the class path.
  rmSync(lib, { recursive: true, force: true });
  log(`Fetching the Apache Kafka jars with Maven into ${lib} (once)…`);
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(KAFKA_INFRA, 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${lib}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0) {
    throw new Error(
      `Maven could not fetch the Kafka jars (exit ${result.status}):\n${result.stdout}${result.stderr}`,
    );
  }
  writeFileSync(jarsStamp(settings), `${pomDigest()}\n${readdirSync(lib).join('\n')}`);
  return lib;
}
