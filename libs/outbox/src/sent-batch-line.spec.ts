import type { OutboxRow } from './outbox-relay.options';
import { sentBatchLine } from './sent-batch-line';

describe('sentBatchLine (the relay’s debug line per batch)', () => {
  it("names each row's event id, type and key in send order, and where each partition's part landed", () => {
    // Arrange
    const row = (id: string, type: string, key: string): OutboxRow => ({
      id: '1',
      topic: 'order.events',
      record_key: key,
      headers: { ce_id: id, ce_type: type },
      payload: '{}',
      created_ms: 0,
    });

    // Act
    const line = sentBatchLine(
      'order-1',
      [row('e1', 'order.placed.v1', 'k1'), row('e2', 'order.cancelled.v1', 'k2')],
      [
        { topicName: 'order.events', partition: 2, errorCode: 0, baseOffset: '40' },
        { topicName: 'order.events', partition: 4, errorCode: 0, baseOffset: '17' },
      ],
    );

    // Assert
    expect(line).toBe(
      'outbox relay order-1: sent 2 [e1 order.placed.v1 k1, e2 order.cancelled.v1 k2] ' +
        'answered [order.events/2@40, order.events/4@17]',
    );
  });
});
