import { randomUUID } from 'node:crypto';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import {
  OrderPlacedV1,
  ProductUpdatedV1,
  ProductUpdatedV2,
  createEvent,
  toKafkaRecord,
  type EventEnvelope,
} from '@saga/contracts';
import { classifyRecord, type RecordHandler } from './classify-record';
import { REPLAY_FOR_GROUP_HEADER } from './dead-letter';

const orderPlaced = () =>
  createEvent(
    OrderPlacedV1,
    {
      orderId: randomUUID(),
      customerId: 'c-1',
      items: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: 100 }],
      totalCents: 100,
      currency: 'EUR',
    },
    { source: 'order' },
  );

const productUpdatedV1 = () =>
  createEvent(
    ProductUpdatedV1,
    { sku: 'SKU-1', name: 'Thing', priceCents: 1, currency: 'EUR', available: 1 },
    { source: 'inventory' },
  );

/** A consumed record of `event`, its headers and value changed as given. */
function consumed(
  event: EventEnvelope,
  change: { headers?: IHeaders; value?: Buffer | string | null } = {},
): KafkaMessage {
  const record = toKafkaRecord(event);
  const value = change.value === undefined ? record.value : change.value;
  return {
    key: Buffer.from(record.key ?? ''),
    value: typeof value === 'string' ? Buffer.from(value) : value,
    headers: change.headers ?? record.headers,
    offset: '7',
    timestamp: '0',
    attributes: 0,
  };
}

/** A consumer of group `order-service` with handlers for `types` only. */
function consumerHandling(...types: string[]) {
  const handlers = new Map(types.map((type) => [type, jest.fn() as unknown as RecordHandler]));
  return { groupId: 'order-service', handlerFor: (type: string) => handlers.get(type), handlers };
}

describe('classifyRecord', () => {
  it('applies a valid event it has a handler for, decoded, with that handler', () => {
    // Arrange
    const event = orderPlaced();
    const consumer = consumerHandling(OrderPlacedV1.type);
    const message = consumed(event);

    // Act
    const classified = classifyRecord('order.events', message, consumer);

    // Assert
    expect(classified).toEqual({
      action: 'apply',
      message,
      record: {
        message,
        event: expect.objectContaining({ id: event.id, type: OrderPlacedV1.type, data: event.data }),
        handler: consumer.handlers.get(OrderPlacedV1.type),
      },
    });
  });

  it('reads an old version as the newest and applies it with the newest version handler', () => {
    // Arrange
    const consumer = consumerHandling(ProductUpdatedV2.type);

    // Act
    const classified = classifyRecord('catalog.products', consumed(productUpdatedV1()), consumer);

    // Assert
    expect(classified.action).toBe('apply');
    if (classified.action !== 'apply') return;
    expect(classified.record.event.type).toBe(ProductUpdatedV2.type);
    expect(classified.record.event.data).toMatchObject({ status: 'ACTIVE' });
    expect(classified.record.handler).toBe(consumer.handlers.get(ProductUpdatedV2.type));
  });

  it('skips a known type it has no handler for, without decoding it', () => {
    // Arrange: a schema-invalid value, which decoding would dead-letter
    const message = consumed(productUpdatedV1(), { value: '{}' });

    // Act
    const classified = classifyRecord('catalog.products', message, consumerHandling(OrderPlacedV1.type));

    // Assert
    expect(classified).toEqual({ action: 'skip', message });
  });

  it('skips a known type it has no handler for when its ce_type header comes twice', () => {
    // Arrange: as the decoder reads it, the type is the first value
    const record = toKafkaRecord(productUpdatedV1());
    const message = consumed(productUpdatedV1(), {
      headers: { ...record.headers, ce_type: [record.headers.ce_type, OrderPlacedV1.type] },
    });

    // Act
    const classified = classifyRecord('catalog.products', message, consumerHandling(OrderPlacedV1.type));

    // Assert
    expect(classified.action).toBe('skip');
  });

  it('skips a replay meant for another group, and applies one meant for its own', () => {
    // Arrange
    const event = orderPlaced();
    const headers = toKafkaRecord(event).headers;
    const forOthers = consumed(event, {
      headers: { ...headers, [REPLAY_FOR_GROUP_HEADER]: 'payment-service' },
    });
    const forUs = consumed(event, { headers: { ...headers, [REPLAY_FOR_GROUP_HEADER]: 'order-service' } });
    const consumer = consumerHandling(OrderPlacedV1.type);

    // Act
    const classified = [forOthers, forUs].map((message) => classifyRecord('order.events', message, consumer));

    // Assert
    expect(classified.map(({ action }) => action)).toEqual(['skip', 'apply']);
  });

  it.each([
    ['invalid-json', { value: Buffer.from([0xde, 0xad, 0xbe, 0xef]) }],
    ['schema-invalid', { value: '{"orderId":"not-a-uuid"}' }],
    ['unknown-type', { headers: { ...toKafkaRecord(orderPlaced()).headers, ce_type: 'order.exploded.v1' } }],
    ['missing-header', { headers: {} }],
    [
      'unsupported-specversion',
      { headers: { ...toKafkaRecord(orderPlaced()).headers, ce_specversion: '0.3' } },
    ],
  ] as const)('dead-letters a poison record with its reason: %s', (reason, change) => {
    // Arrange
    const message = consumed(orderPlaced(), change);

    // Act
    const classified = classifyRecord('order.events', message, consumerHandling(OrderPlacedV1.type));

    // Assert
    expect(classified).toEqual({ action: 'dead-letter', message, reason, error: expect.any(Error) });
  });
});
