import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

/**
 * Reads every partition of `topics` from offset 0 up to its end as it is when the call starts, handing
 * each record to `onRecord`, then returns the count. Uses a throw-away consumer group, deleted after.
 * Rejects if the end is not reached within `timeoutMs` or if `onRecord` throws.
 */
export async function readToEnd(
  kafka: Kafka,
  topics: readonly string[],
  onRecord: (topic: string, partition: number, message: KafkaMessage) => void,
  timeoutMs = 60_000,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `read-to-end-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  try {
    const pending = new Map<string, bigint>();
    for (const topic of topics) {
      // A partition with nothing left to read (empty, or emptied by retention: low = high) is done.
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(high) > BigInt(low)) pending.set(`${topic}/${partition}`, BigInt(high));
      }
    }
    let records = 0;
    if (pending.size === 0) return records;
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const left = [...pending.keys()].join(', ');
        reject(
          new Error(`readToEnd: not at the end of ${left} after ${timeoutMs} ms (${records} records read)`),
        );
      }, timeoutMs);
      consumer
        .run({
          eachMessage: ({ topic, partition, message }) => {
            const end = pending.get(`${topic}/${partition}`);
            if (end === undefined) return Promise.resolve(); // a record written after the call started
            records += 1;
            try {
              onRecord(topic, partition, message);
            } catch (error) {
              clearTimeout(timer);
              reject(error instanceof Error ? error : new Error(String(error)));
            }
            if (BigInt(message.offset) + 1n >= end) pending.delete(`${topic}/${partition}`);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
    return records;
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
