import { deadLetterRecord, isReplayForAnotherGroup, originalOf, sendableHeaders } from './dead-letter';

describe('dead letters', () => {
  const message = { key: Buffer.from('k'), value: Buffer.from([1, 2, 3]), headers: { ce_id: 'e-1' } };
  const info = {
    reason: 'retries-exhausted',
    error: 'x'.repeat(5000),
    topic: 'payment.events',
    partition: 2,
    offset: '41',
    consumerGroup: 'order-service',
    attempts: 5,
  } as const;
  const letter = deadLetterRecord(message, info);

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

  it('keeps only the bytes of headers kafkajs reads as Object.prototype members, so the letter can be sent', () => {
    // Arrange: kafkajs reads a header `toString: x` as [Object.prototype.toString, x] (and so on)
    const x = Buffer.from('x');
    const headers = Object.fromEntries([
      ['ce_id', Buffer.from('e-1')],
      ['toString', [Object.prototype.toString, x]],
      ['__proto__', [Object.prototype, x, Buffer.from('y')]],
      ['ce_type', [Buffer.from('a'), Buffer.from('b')]],
    ]) as unknown as Record<string, Buffer>;

    // Act
    const sendable = sendableHeaders(headers);
    const letter = deadLetterRecord({ key: null, value: null, headers }, { ...info, reason: 'unknown-type' });

    // Assert
    expect(Object.entries(sendable)).toEqual([
      ['ce_id', Buffer.from('e-1')],
      ['toString', x],
      ['__proto__', [x, Buffer.from('y')]],
      ['ce_type', [Buffer.from('a'), Buffer.from('b')]],
    ]);
    expect(Object.getPrototypeOf(sendable)).toBe(Object.prototype);
    expect(Object.entries(letter.headers).slice(0, 4)).toEqual(Object.entries(sendable));
    expect(Object.entries(originalOf(letter).headers).slice(0, 4)).toEqual(Object.entries(sendable));
  });
});
