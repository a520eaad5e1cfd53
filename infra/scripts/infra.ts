/**
 * `npm run infra:up | infra:down | infra:status` — the local infrastructure without Docker:
 * one Apache Kafka broker (KRaft) started from Maven-fetched jars, and the four service databases on
 * the PostgreSQL server you already run. See docs/infrastructure.md.
 */
import { SERVICE_NAMES } from '@saga/contracts';
import { databaseName } from '@saga/platform/config';
import {
  brokerAddress,
  brokerAnswers,
  brokerSettings,
  ensureTopics,
  waitForCoordinators,
  requireJarsOrMaven,
  runningBrokerPid,
  startBroker,
  stopBroker,
} from './kafka-broker';
import {
  ensureServiceDatabases,
  existingServiceDatabases,
  postgresServerUrl,
  redacted,
  requirePostgres,
} from './postgres';
import { PrerequisiteError, requireJava } from './preflight';

const log = (line: string) => console.log(`[infra] ${line}`);

/** What `infraUp` did, so a caller can take down only what it started. */
export interface InfraUpResult {
  /** True when this call started the broker (false: one was running already). */
  readonly startedKafka: boolean;
  /** The Kafka bootstrap address to use. */
  readonly brokers: string[];
}

/**
 * Brings the infrastructure up idempotently: checks prerequisites before starting anything, creates
 * the service databases, starts the broker unless one answers already, and creates the topics.
 */
export async function infraUp(
  env: NodeJS.ProcessEnv = process.env,
  onSpawn?: (pid: number) => void,
): Promise<InfraUpResult> {
  const settings = brokerSettings(env);
  const brokers = [brokerAddress(settings)];
  const serverUrl = postgresServerUrl(env);

  // Every prerequisite is checked before anything is created or started.
  const ours = runningBrokerPid(settings);
  const foreign = ours === undefined && (await brokerAnswers(brokers, 1500));
  if (ours === undefined && !foreign) {
    requireJava(env);
    requireJarsOrMaven(settings, env);
  }
  await requirePostgres(serverUrl);

  const created = await ensureServiceDatabases(serverUrl);
  log(
    `PostgreSQL ${redacted(serverUrl)}: ` +
      (created.length ? `created ${created.join(', ')}` : 'the four service databases already exist'),
  );

  let startedKafka = false;
  if (foreign) {
    log(`A Kafka broker not started by these scripts already answers on ${brokers[0]}; using it.`);
  } else {
    startedKafka = await startBroker(settings, log, onSpawn);
  }
  try {
    const topics = await ensureTopics(brokers);
    log(topics.length ? `Created topics: ${topics.join(', ')}` : 'All topics exist.');
    await waitForCoordinators(brokers);
  } catch (error) {
    // Nothing this call started outlives its failure.
    if (startedKafka) await stopBroker(settings, log);
    throw error;
  }
  return { startedKafka, brokers };
}

/** Stops the broker these scripts started (by its pid). PostgreSQL and its data are left alone. */
export async function infraDown(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await stopBroker(brokerSettings(env), log);
}

/**
 * The infrastructure for one run of a command (`npm test`, `npm run demo`): `open` brings it up;
 * `close` stops the broker only if this run spawned it — also when called from a Ctrl+C handler while
 * `open` is still waiting for that broker. A broker another run started is never stopped here.
 */
export class InfraSession {
  private spawnedPid?: number;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  open(): Promise<InfraUpResult> {
    return infraUp(this.env, (pid) => (this.spawnedPid = pid));
  }

  async close(): Promise<void> {
    if (this.spawnedPid !== undefined) {
      await stopBroker(brokerSettings(this.env), log, this.spawnedPid);
      this.spawnedPid = undefined;
    }
  }
}

/** Prints what runs; resolves to true when everything is up. */
export async function infraStatus(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const settings = brokerSettings(env);
  const brokers = [brokerAddress(settings)];
  const pid = runningBrokerPid(settings);
  const answers = await brokerAnswers(brokers, 2000);
  const owner = pid === undefined ? 'not started by these scripts' : `pid ${pid}`;
  log(`Kafka      ${brokers[0]}: ${answers ? 'answers' : 'does not answer'} (${owner})`);

  const serverUrl = postgresServerUrl(env);
  let databases: string[] = [];
  try {
    databases = await existingServiceDatabases(serverUrl);
    const expected = SERVICE_NAMES.map(databaseName);
    const missing = expected.filter((name) => !databases.includes(name));
    log(
      `PostgreSQL ${redacted(serverUrl)}: answers; ${missing.length ? `missing ${missing.join(', ')}` : 'all four service databases exist'}`,
    );
    return answers && missing.length === 0;
  } catch (error) {
    log(`PostgreSQL ${redacted(serverUrl)}: ${(error as Error).message.split('\n')[0]}`);
    return false;
  }
}

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up':
      await infraUp();
      return 0;
    case 'down':
      await infraDown();
      return 0;
    case 'status':
      return (await infraStatus()) ? 0 : 3;
    default:
      console.error('usage: infra.ts up | down | status');
      return 2;
  }
}

if (require.main === module) {
  main(process.argv[2]).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(
        error instanceof PrerequisiteError ? error.message : error instanceof Error ? error.message : error,
      );
      process.exit(1);
    },
  );
}
