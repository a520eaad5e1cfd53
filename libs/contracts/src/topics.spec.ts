import { SERVICE_NAMES, TOPICS, allTopics, deadLetterTopic } from './topics';

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
});
