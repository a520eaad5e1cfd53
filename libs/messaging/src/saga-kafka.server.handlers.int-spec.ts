import { randomUUID } from 'node:crypto';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { OrderConfirmedV1, OrderPlacedV1, ProductUpdatedV1, topicsConsumedBy } from '@saga/contracts';
import { testKafka } from '@saga/test-kit';
import { OnEvent } from './on-event.decorator';
import { SagaKafkaServer } from './saga-kafka.server';

describe('SagaKafkaServer handlers', () => {
  @Controller()
  class OldVersionHandler {
    @OnEvent(ProductUpdatedV1)
    onProductUpdated() {
      return undefined;
    }
  }

  @Module({ controllers: [OldVersionHandler] })
  class OldVersionModule {}

  it('refuses a handler for a version that is read as a newer one (it would never be called)', async () => {
    // Arrange
    const server = new SagaKafkaServer({
      kafka: testKafka('it-old-version'),
      groupId: `it-old-${randomUUID()}`,
      dataSource: {} as DataSource,
      deadLetterTopic: 'unused',
    });
    const app = await NestFactory.createMicroservice(OldVersionModule, { strategy: server, logger: false });

    // Act + Assert
    await expect(app.listen()).rejects.toThrow(
      '@OnEvent handler for catalog.product-updated.v1: records of it are read as catalog.product-updated.v2',
    );
    await app.close();
  });

  @Controller()
  class PlacedHandler {
    @OnEvent(OrderConfirmedV1)
    onConfirmed() {
      return undefined;
    }

    @OnEvent(OrderPlacedV1)
    onPlaced() {
      return undefined;
    }
  }

  @Module({ controllers: [PlacedHandler] })
  class PlacedModule {}

  function notificationServer(topicPrefix = ''): SagaKafkaServer {
    return new SagaKafkaServer({
      kafka: testKafka('it-choreography'),
      groupId: `it-choreography-${randomUUID()}`,
      service: 'notification',
      topicPrefix,
      dataSource: {} as DataSource,
      deadLetterTopic: 'unused',
    });
  }

  it('refuses to start a service with a handler for an event the choreography table does not list for it', async () => {
    // Arrange: the table says notification consumes order.confirmed.v1 and order.cancelled.v1
    const server = notificationServer();
    const app = await NestFactory.createMicroservice(PlacedModule, {
      strategy: server,
      logger: false,
    });

    // Act + Assert
    await expect(app.listen()).rejects.toThrow(
      'notification has @OnEvent handlers for order.placed.v1, which CHOREOGRAPHY in @saga/contracts ' +
        'does not list for it',
    );
    await app.close();
  });

  it("subscribes to the topics the choreography table lists for its service, with the copy's prefix", () => {
    // Arrange
    const server = notificationServer('copy-1.');

    // Act
    const topics = server.subscribedTopics();

    // Assert
    expect(topics).toEqual(['copy-1.order.events']);
    expect(topics).toEqual(topicsConsumedBy('notification', 'copy-1.'));
  });
});
