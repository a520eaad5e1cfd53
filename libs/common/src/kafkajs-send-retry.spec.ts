/**
 * kafkajs 2.2.4 as patched (patches/kafkajs+2.2.4.patch, ADR 0009): a `send` that a failed broker
 * interrupts sends, on its retry, every partition that has no answer yet to that partition's leader now —
 * also when the new leader is a broker that already answered the first try for partitions of its own.
 * Unpatched, kafkajs skipped such a broker: the moved partition's messages were never sent and the send
 * resolved as if they had been (the relay then deleted the rows: events lost; found by the chaos runs).
 * Nor does a send resolve while any partition of it has no answer.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs' internal module, plain CommonJS
const createSendMessages = require('kafkajs/src/producer/sendMessages') as (
  deps: unknown,
) => (request: unknown) => Promise<{ topicName: string; partition: number }[]>;

interface ProduceRequest {
  topicData: { topic: string; partitions: { partition: number; messages: unknown[] }[] }[];
}

/** A broker that answers a produce request with success for every partition, or fails while `down`. */
function fakeBroker(nodeId: number) {
  const broker = {
    nodeId,
    down: false,
    received: [] as { topic: string; partition: number; count: number }[],
    produce: ({ topicData }: ProduceRequest) => {
      if (broker.down) {
        const error = new Error(`Connection error: connect ECONNREFUSED (node ${nodeId})`);
        error.name = 'KafkaJSConnectionError';
        return Promise.reject(error);
      }
      for (const { topic, partitions } of topicData)
        for (const { partition, messages } of partitions)
          broker.received.push({ topic, partition, count: messages.length });
      return Promise.resolve({
        topics: topicData.map(({ topic, partitions }) => ({
          topicName: topic,
          partitions: partitions.map(({ partition }) => ({ partition, errorCode: 0, baseOffset: '0' })),
        })),
      });
    },
  };
  return broker;
}

/** kafkajs' send over `cluster`, with a no-op sequence manager and a retrier that tries twice, at once. */
function sendWith(cluster: unknown) {
  const eosManager = {
    isTransactional: () => false,
    getSequence: () => 0,
    updateSequence: () => undefined,
    getProducerId: () => 1,
    getProducerEpoch: () => 0,
    acquireBrokerLock: () => Promise.resolve(),
    releaseBrokerLock: () => Promise.resolve(),
  };
  // One retry after the first failure, at once.
  const retrier = async (
    run: (bail: (e: Error) => never, count: number, time: number) => Promise<unknown>,
  ) => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await run(
          (error) => {
            throw error;
          },
          attempt,
          0,
        );
      } catch (error) {
        if (attempt >= 1) throw error;
      }
    }
  };
  return createSendMessages({
    logger: { debug: () => undefined, error: () => undefined },
    cluster,
    partitioner: ({ message }: { message: { partition: number } }) => message.partition,
    eosManager,
    retrier,
  });
}

const TWO_MESSAGES = {
  acks: -1,
  timeout: 30_000,
  topicMessages: [
    {
      topic: 't',
      messages: [
        { key: 'a', value: 'for partition 0', partition: 0 },
        { key: 'b', value: 'for partition 1', partition: 1 },
      ],
    },
  ],
};

describe('kafkajs send, retried after a leader failed (patched)', () => {
  it('sends a moved partition to its new leader even when that broker answered the first try', async () => {
    // Arrange: partition 0 led by node 1 (about to fail), partition 1 by node 2
    const [one, two] = [fakeBroker(1), fakeBroker(2)];
    one.down = true;
    let leaders: Record<number, number> = { 0: 1, 1: 2 };
    const cluster = {
      targetTopics: new Set(['t']),
      addMultipleTargetTopics: () => Promise.resolve(),
      refreshMetadataIfNecessary: () => Promise.resolve(),
      // The failure makes kafkajs refresh the metadata: node 2 leads both partitions from then on.
      refreshMetadata: () => {
        leaders = { 0: 2, 1: 2 };
        return Promise.resolve();
      },
      isConnected: () => true,
      findTopicPartitionMetadata: () =>
        [0, 1].map((partitionId) => ({ partitionId, leader: leaders[partitionId] })),
      findLeaderForPartitions: (_topic: string, partitions: string[]) => {
        const byLeader: Record<number, number[]> = {};
        for (const partition of partitions.map(Number)) (byLeader[leaders[partition]] ??= []).push(partition);
        return byLeader;
      },
      findBroker: ({ nodeId }: { nodeId: string }) => Promise.resolve(Number(nodeId) === 1 ? one : two),
      removeBroker: () => undefined,
    };
    const send = sendWith(cluster);

    // Act
    const answers = await send(TWO_MESSAGES);

    // Assert: node 2 got partition 1 on the first try and partition 0 on the retry, once each
    expect(two.received).toEqual([
      { topic: 't', partition: 1, count: 1 },
      { topic: 't', partition: 0, count: 1 },
    ]);
    expect(answers.map((answer) => answer.partition).sort()).toEqual([0, 1]);
  });

  it('does not resolve while a partition of the send has no answer: it tries again', async () => {
    // Arrange: both partitions led by node 1, but the first metadata read names no leader for partition 0
    // (a guard: kafkajs leaves out a partition whose metadata it cannot find, and resolved without it)
    const one = fakeBroker(1);
    let knowsPartition0 = false;
    const cluster = {
      targetTopics: new Set(['t']),
      addMultipleTargetTopics: () => Promise.resolve(),
      refreshMetadataIfNecessary: () => Promise.resolve(),
      refreshMetadata: () => {
        knowsPartition0 = true;
        return Promise.resolve();
      },
      isConnected: () => true,
      findTopicPartitionMetadata: () => [0, 1].map((partitionId) => ({ partitionId, leader: 1 })),
      findLeaderForPartitions: (_topic: string, partitions: string[]) => ({
        1: partitions.map(Number).filter((partition) => knowsPartition0 || partition !== 0),
      }),
      findBroker: () => Promise.resolve(one),
      removeBroker: () => undefined,
    };

    // Act
    const answers = await sendWith(cluster)(TWO_MESSAGES);

    // Assert: partition 1 on the first try, partition 0 on the second, both answered
    expect(one.received).toEqual([
      { topic: 't', partition: 1, count: 1 },
      { topic: 't', partition: 0, count: 1 },
    ]);
    expect(answers.map((answer) => answer.partition).sort()).toEqual([0, 1]);
  });
});
