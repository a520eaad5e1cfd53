import type { Admin, Kafka } from 'kafkajs';
import type { PartitionLag } from './saga-kafka.options';

/** One topic's partitions as the broker reports them (`admin.fetchTopicOffsets`). */
export interface TopicEnds {
  readonly topic: string;
  readonly offsets: readonly { partition: number; high: string; low: string }[];
}

/** A group's committed offsets (`admin.fetchOffsets`); a negative offset means none committed. */
export type CommittedOffsets = readonly {
  readonly topic: string;
  readonly partitions: readonly { partition: number; offset: string }[];
}[];

/**
 * Each partition's lag: its end offset minus the group's committed offset, or the whole partition (end
 * minus start) when the group has committed nothing on it yet. Never negative.
 */
export function partitionLags(ends: readonly TopicEnds[], committed: CommittedOffsets): PartitionLag[] {
  return ends.flatMap(({ topic, offsets }) =>
    offsets.map(({ partition, high, low }) => {
      const offset = committed
        .find((entry) => entry.topic === topic)
        ?.partitions.find((entry) => entry.partition === partition)?.offset;
      const from = offset === undefined || Number(offset) < 0 ? Number(low) : Number(offset);
      return { topic, partition, lag: Math.max(0, Number(high) - from) };
    }),
  );
}

/**
 * Measures a consumer group's lag by asking the broker, so a stalled consumer's lag grows. Its admin
 * client connects at the first measure and is kept for the next ones; a failed connection is retried
 * at the next measure.
 */
export class ConsumerLag {
  private admin?: Promise<Admin>;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
  ) {}

  /** Each partition of `topics` with the group's lag on it; nothing once closed. */
  async measure(topics: string[]): Promise<PartitionLag[]> {
    if (topics.length === 0 || this.closed) return []; // a scrape after close() opens no new client
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })();
    const admin = await this.admin.catch((error: unknown) => {
      this.admin = undefined;
      throw error;
    });
    const [committed, ends] = await Promise.all([
      admin.fetchOffsets({ groupId: this.groupId, topics }),
      Promise.all(topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) }))),
    ]);
    return partitionLags(ends, committed);
  }

  /** Disconnects the admin client, if one connected; measures nothing more. */
  async close(): Promise<void> {
    this.closed = true;
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((connected) => connected.disconnect()).catch(() => undefined);
  }
}
