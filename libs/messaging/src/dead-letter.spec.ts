import { deadLetterRecord, isReplayForAnotherGroup, originalOf } from './dead-letter';

describe('dead letters', () => {
  const message = { key: Buffer.from('k'), value: Buffer.from([1, 2, 3]), headers: { ce_id: 'e-1' } };
  const letter = deadLetterRecord(message, {
    reason: 'retries-exhausted',
    error: 'x'.repeat(5000),
    topic: 'payment.events',
    partition: 2,
    offset: '41',
    consumerGroup: 'order-service',
    attempts: 5,
  });

  it('keeps the original bytes and headers, and says where from and why', () => {
    expect(letter.value).toEqual(message.value);
    expect(letter.headers).toMatchObject({
      ce_id: 'e-1',
      dlq_reason: 'retries-exhausted',
      dlq_original_topic: 'payment.events',
      dlq_original_partition: '2',
      dlq_original_offset: '41',
      dlq_consumer_group: 'order-service',
      dlq_attempts: '5',
    });
    expect(String(letter.headers.dlq_error)).toHaveLength(2000);
  });

  it('replays the original, dlq_* headers removed, addressed to the group that failed', () => {
    // Act
    const replay = originalOf({ ...letter, headers: letter.headers });

    // Assert
    expect(Object.keys(replay.headers).filter((name) => name.startsWith('dlq_'))).toEqual([]);
    expect(isReplayForAnotherGroup(replay, 'order-service')).toBe(false);
    expect(isReplayForAnotherGroup(replay, 'notification-service')).toBe(true);
    expect(isReplayForAnotherGroup(message, 'notification-service')).toBe(false);
  });
});
