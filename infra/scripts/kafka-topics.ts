import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import { allTopics, topicConfigEntries, type TopicDefinition } from '@saga/contracts';
import { waitFor } from '@saga/common';
import type { KafkaSecurity } from '@saga/platform/config/kafka-security';
import { durability } from './kafka-broker';

/*
 * A started broker (or cluster) made ready for the platform: the registry's topics, with the settings it
 * states, known to every node, and the group and producer-id coordinators answering.
 */

/**
 * Creates every topic of the registry that does not exist yet (partitions, cleanup policy, and the
 * replication of {@link durability} for the cluster's size). Retries while a freshly started controller
 * still settles, up to `timeoutMs`. Returns the topics created. `security`: SASL/TLS, if the broker wants them.
 */
export async function ensureTopics(
  brokers: readonly string[],
  timeoutMs = 30_000,
  security: KafkaSecurity = {},
): Promise<string[]> {
  const admin = new Kafka({
    clientId: 'saga-infra',
    brokers: [...brokers],
    ...security,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const { replicationFactor, minInsyncReplicas } = durability(
      (await admin.describeCluster()).brokers.length,
    );
    const settingsOf = (topic: TopicDefinition) => [
      ...topicConfigEntries(topic),
      { name: 'min.insync.replicas', value: String(minInsyncReplicas) },
    ];
    // A try that fails after the controller made some topics (say waiting for their leaders) is retried:
    // what was missing at the first look is what this call created.
    const created = new Set<string>();
    await waitFor(
      async () => {
        const existing = new Set(await admin.listTopics());
        const missing = allTopics().filter((topic) => !existing.has(topic.name));
        missing.forEach((topic) => created.add(topic.name));
        if (missing.length > 0) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((topic) => ({
              topic: topic.name,
              numPartitions: topic.partitions,
              replicationFactor,
              configEntries: settingsOf(topic),
            })),
          });
        }
        return true;
      },
      { timeoutMs, intervalMs: 250, what: 'the topics to be created' },
    );
    // A fresh cluster's brokers learn of new topics one by one: until every one knows them, a metadata
    // request may land on one that answers "does not host this topic-partition".
    await waitForTopicMetadata(
      admin,
      allTopics().map((topic) => topic.name),
      timeoutMs,
    );
    const { partitions, configs } = await topicMismatches(admin, settingsOf);
    if (partitions.length > 0) {
      throw new Error(
        `Existing topics do not match the registry (libs/contracts/src/topics.ts):\n  ${partitions.join('\n  ')}\n` +
          '  A partition count cannot be lowered in place: delete them (their data goes with them) and run infra:up again.',
      );
    }
    if (configs.length > 0) {
      // Settings can be changed in place (say a dead-letter topic made before it kept records forever).
      await admin.alterConfigs({
        validateOnly: false,
        resources: configs.map((topic) => ({
          type: ConfigResourceTypes.TOPIC,
          name: topic.name,
          configEntries: settingsOf(topic),
        })),
      });
      configs.forEach((topic) => created.add(`${topic.name} (settings updated)`));
    }
    return [...created];
  } finally {
    await admin.disconnect();
  }
}

/** How many metadata answers in a row must agree before the cluster counts as settled. */
const METADATA_AGREEMENT = 3;

/**
 * Waits until the cluster's metadata agrees on `topics`: {@link METADATA_AGREEMENT} answers in a row
 * (each from whichever broker kafkajs asks) name every topic, with a leader for every partition and the
 * same partition counts. An error (a broker that does not know a topic yet) starts the count again; on
 * timeout, the error names the last answer.
 */
export async function waitForTopicMetadata(
  admin: Pick<Admin, 'fetchTopicMetadata'>,
  topics: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  let agreeing = 0;
  let previous = '';
  await waitFor(
    async () => {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] }).catch((error) => {
        agreeing = 0;
        previous = '';
        throw error;
      });
      const leaderless = found.flatMap((topic) =>
        topic.partitions.filter((p) => p.leader < 0).map((p) => `${topic.name}/${p.partitionId}`),
      );
      if (found.length < topics.length || leaderless.length > 0) {
        agreeing = 0;
        previous = '';
        return false;
      }
      const shape = found.map((topic) => `${topic.name}:${topic.partitions.length}`).join(',');
      agreeing = shape === previous ? agreeing + 1 : 1;
      previous = shape;
      return agreeing >= METADATA_AGREEMENT || undefined;
    },
    { timeoutMs, intervalMs: 200, what: 'the brokers to agree on the topics and their leaders' },
  );
}

/**
 * Topics that exist with other settings than the registry's — say a 1-partition `order.events` that a
 * foreign broker auto-created, which would silently change the ordering and scaling guarantees.
 */
async function topicMismatches(
  admin: Admin,
  settingsOf: (topic: TopicDefinition) => { name: string; value: string }[],
): Promise<{ partitions: string[]; configs: TopicDefinition[] }> {
  const topics = allTopics();
  const metadata = await admin.fetchTopicMetadata({ topics: topics.map((topic) => topic.name) });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((topic) => ({
      type: ConfigResourceTypes.TOPIC,
      name: topic.name,
      configNames: settingsOf(topic).map((entry) => entry.name),
    })),
  });
  const partitions = topics.flatMap((topic) => {
    const count = metadata.topics.find((found) => found.name === topic.name)?.partitions.length;
    return count === topic.partitions
      ? []
      : [`${topic.name}: ${count} partition(s), the registry says ${topic.partitions}`];
  });
  const configs = topics.filter((topic) => {
    const entries =
      described.resources.find((resource) => resource.resourceName === topic.name)?.configEntries ?? [];
    return settingsOf(topic).some(
      ({ name, value }) => entries.find((entry) => entry.configName === name)?.configValue !== value,
    );
  });
  return { partitions, configs };
}

/**
 * Waits until the broker's group and producer-id coordinators answer. A fresh broker creates
 * `__consumer_offsets` on the first group request and loads it for a while; clients that arrive
 * meanwhile get "coordinator not available / loading", and a consumer group that rebalances in that
 * window can stall for a whole session timeout. Waiting here makes "ready" mean ready for groups too.
 * `security`: SASL/TLS, if the broker wants them.
 */
export async function waitForCoordinators(
  brokers: readonly string[],
  timeoutMs = 60_000,
  security: KafkaSecurity = {},
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'saga-infra',
    brokers: [...brokers],
    ...security,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        await admin.describeGroups([`saga-readiness-${randomUUID()}`]);
        const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        try {
          await producer.connect(); // InitProducerId: answered by the transaction coordinator
        } finally {
          await producer.disconnect();
        }
        return true;
      },
      { timeoutMs, intervalMs: 250, what: 'the group and producer-id coordinators to answer' },
    );
  } finally {
    await admin.disconnect();
  }
}
