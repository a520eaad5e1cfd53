import type { Admin } from 'kafkajs';
import { brokerSettings, clusterSettings, newClusterId, renderServerProperties } from './kafka-broker';
import { waitForTopicMetadata } from './kafka-topics';
import { javaMajorVersion } from './preflight';

describe('renderServerProperties', () => {
  it('fills every placeholder', () => {
    expect(
      renderServerProperties('listeners=PLAINTEXT://127.0.0.1:${KAFKA_PORT}\nlog.dirs=${DATA_DIR}', {
        KAFKA_PORT: 9092,
        DATA_DIR: '/tmp/data',
      }),
    ).toBe('listeners=PLAINTEXT://127.0.0.1:9092\nlog.dirs=/tmp/data');
  });

  it('refuses a placeholder it has no value for', () => {
    expect(() => renderServerProperties('port=${MISSING}', {})).toThrow('no value for ${MISSING}');
  });
});

describe('newClusterId', () => {
  it('makes a 22-character URL-safe base64 id, new each time', () => {
    // Act
    const [a, b] = [newClusterId(), newClusterId()];

    // Assert
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
  });

  it("never starts with '-', which the storage tool would take for an option", () => {
    // 1 in 64 random ids would; 2,000 tries miss that with a chance of about 1e-14.
    const ids = Array.from({ length: 2000 }, newClusterId);
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
  });
});

describe('javaMajorVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_392"', 8],
    ['command not found', undefined],
  ])('reads %s as %s', (output, major) => {
    expect(javaMajorVersion(output)).toBe(major);
  });
});

describe('waitForTopicMetadata', () => {
  type Metadata = Awaited<ReturnType<Admin['fetchTopicMetadata']>>;
  const topic = (name: string, leaders: number[]) => ({
    name,
    partitions: leaders.map((leader, partitionId) => ({ partitionId, leader, replicas: [], isr: [] })),
  });
  const settled: Metadata = { topics: [topic('a', [1, 2]), topic('b', [3])] } as unknown as Metadata;
  const notHosted = Object.assign(new Error('This server does not host this topic-partition'), {
    retriable: true,
  });

  /** A fake admin that answers `answers` in turn (the last one from then on), counting the calls. */
  function adminAnswering(answers: (Metadata | Error)[]) {
    let calls = 0;
    const admin = {
      fetchTopicMetadata: () => {
        const answer = answers[Math.min(calls, answers.length - 1)];
        calls += 1;
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
      },
    };
    return { admin, calls: () => calls };
  }

  it('waits past brokers that do not know a topic yet, until three answers in a row agree', async () => {
    // Arrange: the cluster right after createTopics, as the chaos run met it
    const leaderless = { topics: [topic('a', [1, -1]), topic('b', [3])] } as unknown as Metadata;
    const { admin, calls } = adminAnswering([notHosted, settled, notHosted, leaderless, settled]);

    // Act
    await waitForTopicMetadata(admin, ['a', 'b'], 10_000);

    // Assert: the streak started again after each error and the leaderless answer
    expect(calls()).toBe(7);
  });

  it('times out naming what it waited for when a partition never gets a leader', async () => {
    // Arrange
    const { admin } = adminAnswering([{ topics: [topic('a', [-1])] } as unknown as Metadata]);

    // Act / Assert
    await expect(waitForTopicMetadata(admin, ['a'], 500)).rejects.toThrow(
      'the brokers to agree on the topics and their leaders',
    );
  });
});

describe('brokerSettings and clusterSettings', () => {
  it("pass KAFKA_OPTS to the JVM after the platform's options, as Kafka's own scripts do", () => {
    // Arrange
    const env = { KAFKA_OPTS: ' -XX:TieredStopAtLevel=1   -Dfoo=bar ' };

    // Act
    const single = brokerSettings(env);
    const cluster = clusterSettings(3, env);

    // Assert
    expect(single.jvmOptions).toEqual(['-XX:TieredStopAtLevel=1', '-Dfoo=bar']);
    expect(cluster.map((node) => node.jvmOptions)).toEqual(
      Array(3).fill(['-XX:TieredStopAtLevel=1', '-Dfoo=bar']),
    );
    expect(brokerSettings({}).jvmOptions).toEqual([]);
  });
});
