import { SERVICE_NAMES, TOPICS, allTopics, deadLetterTopic, topicConfigEntries } from './topics';

describe('topic registry', () => {
  it('has the saga topics of DESIGN.md with six partitions, keyed by order id', () => {
    for (const topic of [TOPICS.orderEvents, TOPICS.paymentEvents, TOPICS.inventoryEvents]) {
      expect(topic).toMatchObject({ partitions: 6, key: 'orderId', cleanupPolicy: 'delete' });
    }
    expect([
      TOPICS.orderEvents.producer,
      TOPICS.paymentEvents.producer,
      TOPICS.inventoryEvents.producer,
    ]).toEqual(['order', 'payment', 'inventory']);
  });

  it('keeps the catalog in a compacted topic keyed by sku', () => {
    expect(TOPICS.catalogProducts).toMatchObject({
      name: 'catalog.products',
      key: 'sku',
      cleanupPolicy: 'compact',
    });
  });

  it('lists a dead-letter topic per service and no name twice', () => {
    // Act
    const names = allTopics().map((topic) => topic.name);

    // Assert
    expect(names).toEqual(expect.arrayContaining(SERVICE_NAMES.map((service) => `${service}.dlq`)));
    expect(new Set(names).size).toBe(names.length);
    expect(deadLetterTopic('payment')).toMatchObject({ name: 'payment.dlq', producer: 'payment' });
  });

  it('gives every dead-letter topic room for the largest record it can get plus the dlq_* headers', () => {
    // Arrange: a dead letter is the original record plus a few KB of dlq_* headers (the error is cut to 2,000)
    const largestRecord = Math.max(...Object.values(TOPICS).map((topic) => topic.maxMessageBytes));

    // Act
    const room = SERVICE_NAMES.map((service) => deadLetterTopic(service).maxMessageBytes - largestRecord);

    // Assert
    expect(Math.min(...room)).toBeGreaterThanOrEqual(16 * 1024);
    expect(topicConfigEntries(deadLetterTopic('order'))).toContainEqual({
      name: 'max.message.bytes',
      value: String(deadLetterTopic('order').maxMessageBytes),
    });
  });
});
