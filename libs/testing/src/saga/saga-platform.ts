import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES, allTopics, topicConfigEntries, type ServiceName } from '@saga/contracts';
import { waitFor } from '@saga/common';
import { startService, type RunningService, type ServiceDefinition } from '@saga/platform';
import { SAGA_SUBSCRIPTIONS } from '../audit/saga-subscriptions';
import { startSmtpSink, type SmtpSink } from '../smtp-sink';
import { createTestDatabase, type TestDatabase } from '../test-database';
import { testBrokers } from '../test-kafka';
import { testKafka } from '../test-topics';

/** The data the payment and inventory services start with (their `SEED_FILE`). */
export interface SagaSeed {
  readonly accounts: readonly { customerId: string; balanceCents: number; currency: string }[];
  readonly products: readonly {
    sku: string;
    name: string;
    priceCents: number;
    currency: string;
    stock: number;
  }[];
}

/** What the four services are: pass `{ order: orderService, payment: paymentService, … }` from the apps. */
export type SagaServices = Readonly<Record<ServiceName, ServiceDefinition>>;

/**
 * A private copy of the whole platform on the real infrastructure: four databases of its own, its own
 * topics (a `KAFKA_TOPIC_PREFIX`), its own SMTP sink, and the four services running in this process on
 * free ports. Copies never see each other's records, so test files can run in parallel. Services can
 * be stopped and started again mid-saga; everything is removed by {@link SagaPlatform.destroy}.
 */
export class SagaPlatform {
  private readonly running = new Map<ServiceName, RunningService>();

  private constructor(
    private readonly definitions: SagaServices,
    /** `KAFKA_TOPIC_PREFIX` of this copy. */
    readonly topicPrefix: string,
    readonly databases: Readonly<Record<ServiceName, TestDatabase>>,
    /** Captures every e-mail the notification service sends. */
    readonly smtp: SmtpSink,
    private readonly seedDir: string,
    private readonly extraEnv: Readonly<Record<string, string>>,
  ) {}

  /** Creates the copy's databases and topics, starts the SMTP sink and the four services. */
  static async start(
    label: string,
    services: SagaServices,
    seed: SagaSeed,
    env: Readonly<Record<string, string>> = {},
  ): Promise<SagaPlatform> {
    const topicPrefix = `e2e-${label}-${randomBytes(3).toString('hex')}.`;
    const databases = Object.fromEntries(
      await Promise.all(
        SERVICE_NAMES.map(async (s) => [s, await createTestDatabase(`${label}_${s}`)] as const),
      ),
    ) as Record<ServiceName, TestDatabase>;
    await createPlatformTopics(topicPrefix);
    const seedDir = await mkdtemp(join(tmpdir(), 'saga-seed-'));
    await writeFile(join(seedDir, 'seed.json'), JSON.stringify(seed));
    const smtp = await startSmtpSink();
    const platform = new SagaPlatform(services, topicPrefix, databases, smtp, seedDir, env);
    try {
      await Promise.all(SERVICE_NAMES.map((service) => platform.startService(service)));
    } catch (error) {
      await platform.destroy();
      throw error;
    }
    return platform;
  }

  /** The consumer group of a service in this copy (also its inbox consumer name). */
  groupId(service: ServiceName): string {
    return `${this.topicPrefix}${service}-service`;
  }

  /** The base URL of a running service. */
  url(service: ServiceName): string {
    const running = this.running.get(service);
    if (!running) throw new Error(`${service} is not running`);
    return running.url;
  }

  /** The running instance of a service (its Nest app, config and consumer). */
  instance(service: ServiceName): RunningService | undefined {
    return this.running.get(service);
  }

  /** Starts a service (again), with the same database, topics, group and seed. */
  async startService(service: ServiceName): Promise<RunningService> {
    if (this.running.has(service)) throw new Error(`${service} is already running`);
    const running = await startService(this.definitions[service], {
      PORT: '0',
      DATABASE_URL: this.databases[service].url,
      DATABASE_POOL_SIZE: '5',
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_TOPIC_PREFIX: this.topicPrefix,
      KAFKA_GROUP_ID: this.groupId(service),
      KAFKA_CLIENT_ID: `${this.topicPrefix}${service}`,
      SEED_FILE: join(this.seedDir, 'seed.json'),
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(this.smtp.port),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...this.extraEnv,
    });
    const handled = running.consumer.handledTypes().sort().join(', ');
    const expected = [...SAGA_SUBSCRIPTIONS[service]].sort().join(', ');
    if (handled !== expected) {
      await running.app.close();
      throw new Error(
        `${service} handles [${handled}] but SAGA_SUBSCRIPTIONS says [${expected}]: update one`,
      );
    }
    this.running.set(service, running);
    return running;
  }

  /** Stops a service as a deployment would (SIGTERM): the record in hand finishes, offsets are committed. */
  async stopService(service: ServiceName): Promise<void> {
    const running = this.running.get(service);
    this.running.delete(service);
    await running?.app.close();
  }

  /** Stops everything and removes the copy's databases, topics and seed file. */
  async destroy(): Promise<void> {
    await Promise.all([...this.running.keys()].map((service) => this.stopService(service)));
    await this.smtp.close();
    await Promise.all(Object.values(this.databases).map((database) => database.drop()));
    await deletePlatformTopics(this.topicPrefix);
    await rm(this.seedDir, { recursive: true, force: true });
  }
}

/** Creates every topic of the registry under `prefix` (a private copy's topics). */
export async function createPlatformTopics(prefix: string): Promise<void> {
  const admin = testKafka('saga-platform-harness').admin();
  await admin.connect();
  const topics = allTopics().map((topic) => `${prefix}${topic.name}`);
  try {
    await admin.createTopics({
      topics: allTopics().map((topic) => ({
        topic: `${prefix}${topic.name}`,
        numPartitions: topic.partitions,
        configEntries: topicConfigEntries(topic),
      })),
    });
    // Not kafkajs' waitForLeaders: in a cluster, a node that has not learnt of a new topic yet answers
    // "does not host this topic-partition", which that wait does not retry.
    await waitFor(
      async () => {
        const { topics: found } = await admin.fetchTopicMetadata({ topics }).catch(() => ({ topics: [] }));
        const led = found.filter((topic) => topic.partitions.every((partition) => partition.leader >= 0));
        return led.length === topics.length || undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `the topics of ${prefix} to have leaders` },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the topics {@link createPlatformTopics} made. */
export async function deletePlatformTopics(prefix: string): Promise<void> {
  const admin = testKafka('saga-platform-harness').admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: allTopics().map((topic) => `${prefix}${topic.name}`) });
  } catch {
    // best effort: a leftover test topic is harmless
  } finally {
    await admin.disconnect();
  }
}
