import type { Admin } from 'kafkajs';
import { SERVICE_NAMES, type PlatformServiceName } from '@saga/contracts';
import { subscribedTopics } from '../audit/saga-subscriptions';

/**
 * What is still to do in a copy of the platform — unpublished outbox rows, records a group has not
 * consumed, PENDING e-mails — and every group's committed offsets (to compare two looks).
 */
export async function platformBacklog(
  admin: Admin,
  platform: { readonly topicPrefix: string; groupId(service: PlatformServiceName): string },
  query: (service: PlatformServiceName, sql: string) => Promise<{ count: string }[]>,
): Promise<{ behind: string[]; positions: string }> {
  const behind: string[] = [];
  const positions: string[] = [];
  for (const service of SERVICE_NAMES) {
    const [{ count }] = await query(service, 'SELECT count(*) FROM outbox WHERE published_at IS NULL');
    if (Number(count) > 0) behind.push(`${service} outbox ${count}`);
    const topics = subscribedTopics(service, platform.topicPrefix);
    const committed = await admin.fetchOffsets({ groupId: platform.groupId(service), topics });
    for (const { topic, partitions } of committed) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const { partition, offset } of partitions) {
        const end = ends.find((e) => e.partition === partition)!.high;
        const at = offset === '-1' ? '0' : offset;
        positions.push(`${service}:${topic}/${partition}@${at}`);
        if (at !== end) behind.push(`${service} ${topic}/${partition} at ${at} of ${end}`);
      }
    }
  }
  const [{ count }] = await query(
    'notification',
    "SELECT count(*) FROM notifications WHERE status = 'PENDING'",
  );
  if (Number(count) > 0) behind.push(`${count} e-mail(s) PENDING`);
  return { behind, positions: positions.join(',') };
}
