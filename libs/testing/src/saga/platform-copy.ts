import { randomBytes } from 'node:crypto';
import {
  PLATFORM_SERVICE_NAMES,
  allTopics,
  topicConfigEntries,
  type PlatformServiceName,
} from '@saga/contracts';
import { waitFor } from '@saga/common';
import { startSmtpSink, testBrokers, testKafka, testTokenIssuer, type SmtpSink } from '@saga/test-kit';
import { createServiceTestDatabase, type ServiceTestDatabase } from '../service-test-database';

/**
 * What every private copy of the platform has, whether its services run in-process ({@link SagaPlatform})
 * or as processes (`ProcessPlatform`): its own topics (a `KAFKA_TOPIC_PREFIX`), a database per service
 * of the registry (added services' too) and an SMTP sink. Copies never see each other's records. Each
 * service connects as its own role, which owns its database and cannot reach the others'.
 */
export interface PlatformCopy {
  /** `KAFKA_TOPIC_PREFIX` of the copy. */
  readonly topicPrefix: string;
  /** A database per service, owned by the service's role; `url` is the superuser's, `serviceUrl` the role's. */
  readonly databases: Readonly<Record<PlatformServiceName, ServiceTestDatabase>>;
  /** Captures every e-mail the notification service sends. */
  readonly smtp: SmtpSink;
}

/** What a running copy exposes, whatever runs its services: its topics, databases, SMTP sink and groups. */
export abstract class RunningCopy {
  protected constructor(protected readonly copy: PlatformCopy) {}

  /** `KAFKA_TOPIC_PREFIX` of this copy. */
  get topicPrefix(): string {
    return this.copy.topicPrefix;
  }

  get databases(): Readonly<Record<PlatformServiceName, ServiceTestDatabase>> {
    return this.copy.databases;
  }

  /** Captures every e-mail the notification service sends. */
  get smtp(): SmtpSink {
    return this.copy.smtp;
  }

  /** The consumer group of a service in this copy (also its inbox consumer name). */
  groupId(service: PlatformServiceName): string {
    return copyGroupId(this.copy, service);
  }
}

/** Creates a copy: topics under `<prefix>-<random>.`, databases named after `label`, an SMTP sink. */
export async function createPlatformCopy(label: string, prefix = label): Promise<PlatformCopy> {
  const topicPrefix = `${prefix}-${randomBytes(3).toString('hex')}.`;
  const databases = Object.fromEntries(
    await Promise.all(
      PLATFORM_SERVICE_NAMES.map(
        async (s) => [s, await createServiceTestDatabase(s, `${label}_${s}`)] as const,
      ),
    ),
  ) as Record<PlatformServiceName, ServiceTestDatabase>;
  await createPlatformTopics(topicPrefix);
  return { topicPrefix, databases, smtp: await startSmtpSink() };
}

/** Removes what {@link createPlatformCopy} made (its services must be stopped first). */
export async function removePlatformCopy(copy: PlatformCopy): Promise<void> {
  await copy.smtp.close();
  await Promise.all(Object.values(copy.databases).map((database) => database.drop()));
  await deletePlatformTopics(copy.topicPrefix);
}

/** The consumer group of a service in a copy (also its inbox consumer name). */
export function copyGroupId(copy: Pick<PlatformCopy, 'topicPrefix'>, service: PlatformServiceName): string {
  return `${copy.topicPrefix}${service}-service`;
}

/** The environment a service of the copy runs with; the caller adds its port (and anything else). */
export function copyServiceEnv(copy: PlatformCopy, service: PlatformServiceName): Record<string, string> {
  return {
    DATABASE_URL: copy.databases[service].serviceUrl,
    DATABASE_POOL_SIZE: '5',
    DATABASE_BACKGROUND_POOL_SIZE: '3',
    KAFKA_BROKERS: testBrokers().join(','),
    KAFKA_TOPIC_PREFIX: copy.topicPrefix,
    KAFKA_GROUP_ID: copyGroupId(copy, service),
    KAFKA_CLIENT_ID: `${copy.topicPrefix}${service}`,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(copy.smtp.port),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // Tokens of the process's test issuer (SagaClient mints them); orders are not rate-limited in tests
    // unless a test sets ORDER_RATE_LIMIT itself.
    ...testTokenIssuer().serviceEnv(),
    ORDER_RATE_LIMIT: '1000000',
  };
}

/** Creates every topic of the registry under `prefix` (a private copy's topics). */
export async function createPlatformTopics(prefix: string): Promise<void> {
  const admin = testKafka('saga-platform-harness').admin();
  await admin.connect();
  const topics = allTopics().map((topic) => `${prefix}${topic.name}`);
  try {
    // A cluster node that is still learning of other topics (another copy's, just deleted, say) answers
    // the metadata request kafkajs makes first with "does not host this topic-partition": retriable, so
    // the request is made again; one that created some of them before failing leaves the rest to the next.
    await waitFor(
      async () => {
        try {
          await admin.createTopics({
            topics: allTopics().map((topic) => ({
              topic: `${prefix}${topic.name}`,
              numPartitions: topic.partitions,
              configEntries: topicConfigEntries(topic),
            })),
          });
          return true;
        } catch (error) {
          if ((error as { retriable?: boolean }).retriable) return undefined;
          throw error;
        }
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `the topics of ${prefix} to be created` },
    );
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
