import type { Kafka } from 'kafkajs';
import { readToEnd } from '@saga/common';
import { SERVICE_NAMES, TOPICS, deadLetterTopic, readAsType, type ServiceName } from '@saga/contracts';
import {
  checkMail,
  checkMoney,
  checkOrders,
  checkOrphans,
  checkStock,
  expectedEvents,
  type AuditedMail,
  type Violation,
} from './audit-checks';
import { readSnapshot, type AuditSnapshot } from './audit-snapshot';
import { SAGA_SUBSCRIPTIONS } from './saga-subscriptions';

/** What to audit: the four databases, and optionally the Kafka log and the SMTP record. */
export interface AuditTarget {
  /** Each service's database URL. */
  readonly databases: Readonly<Record<ServiceName, string>>;
  /** Each service's consumer group (its inbox consumer name); default `<service>-service`. */
  readonly groupIds?: Readonly<Record<ServiceName, string>>;
  /** With a Kafka client, invariant 7 is checked record by record against inboxes and dead letters. */
  readonly kafka?: Kafka;
  /** `KAFKA_TOPIC_PREFIX` of the platform audited. */
  readonly topicPrefix?: string;
  /** Every e-mail the SMTP server received, if known. */
  readonly mails?: readonly AuditedMail[];
}

/** The outcome of an audit. */
export interface AuditReport {
  readonly violations: Violation[];
  /** What was looked at, for the printout. */
  readonly counted: { orders: number; customers: number; skus: number; records?: number };
}

/**
 * Checks docs/design.md's seven invariants across the four services' databases (and the Kafka log and the
 * SMTP record, when given). Meant for a drained platform: an order still in flight is a violation of
 * invariant 1.
 */
export async function auditSaga(target: AuditTarget): Promise<AuditReport> {
  const groupIds =
    target.groupIds ??
    (Object.fromEntries(SERVICE_NAMES.map((s) => [s, `${s}-service`])) as Record<ServiceName, string>);
  const snapshot = await readSnapshot({ ...target.databases }, { ...groupIds });
  const violations = [
    ...checkOrders(snapshot),
    ...checkStock(snapshot),
    ...checkMoney(snapshot),
    ...checkMail(snapshot, target.mails),
    ...checkOutboxes(snapshot),
    ...checkOrphans(snapshot),
  ];
  let records: number | undefined;
  if (target.kafka) {
    const delivery = await checkDelivery(target.kafka, target.topicPrefix ?? '', snapshot);
    records = delivery.records;
    violations.push(...delivery.violations);
  }
  return {
    violations,
    counted: {
      orders: snapshot.orders.length,
      customers: snapshot.accounts.length,
      skus: snapshot.products.length,
      records,
    },
  };
}

/** Invariant 7, producer side: every outbox row is published. */
function checkOutboxes(snapshot: AuditSnapshot): Violation[] {
  return SERVICE_NAMES.filter((service) => snapshot.outboxBacklog[service] > 0).map((service) => ({
    invariant: 7,
    message: `${service}: ${snapshot.outboxBacklog[service]} outbox row(s) not published`,
  }));
}

/**
 * Invariant 7, consumer side: every record on the platform's topics was applied by each service that
 * consumes its type (its id is in that service's inbox) or is in that service's dead-letter topic.
 */
async function checkDelivery(
  kafka: Kafka,
  prefix: string,
  snapshot: AuditSnapshot,
): Promise<{ records: number; violations: Violation[] }> {
  const deadLettered = Object.fromEntries(SERVICE_NAMES.map((s) => [s, new Set<string>()])) as Record<
    ServiceName,
    Set<string>
  >;
  const dlqs = new Map(SERVICE_NAMES.map((s) => [`${prefix}${deadLetterTopic(s).name}`, s]));
  await readToEnd(kafka, [...dlqs.keys()], (topic, _partition, message) => {
    const id = message.headers?.ce_id?.toString();
    if (id) deadLettered[dlqs.get(topic)!].add(id);
  });
  const violations: Violation[] = [];
  const published = new Set<string>();
  const topics = Object.values(TOPICS).map((topic) => `${prefix}${topic.name}`);
  const records = await readToEnd(kafka, topics, (topic, partition, message) => {
    const id = message.headers?.ce_id?.toString();
    const type = message.headers?.ce_type?.toString() ?? '';
    published.add(`${readAsType(type)}|${message.key?.toString() ?? ''}`);
    for (const service of SERVICE_NAMES) {
      const consumes = SAGA_SUBSCRIPTIONS[service].includes(readAsType(type));
      if (!consumes || !id || snapshot.inbox[service].has(id) || deadLettered[service].has(id)) continue;
      violations.push({
        invariant: 7,
        orderId: message.key?.toString(),
        message: `${type} ${id} (${topic}/${partition}@${message.offset}) neither applied by ${service} nor dead-lettered`,
      });
    }
  });
  for (const { type, key } of expectedEvents(snapshot)) {
    if (published.has(`${type}|${key}`)) continue;
    violations.push({
      invariant: 7,
      orderId: type.startsWith('catalog.') ? undefined : key,
      message: `the databases say ${type} for ${key} was published, but it is not in the log`,
    });
  }
  return { records, violations };
}
