import { randomUUID } from 'node:crypto';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { ProductUpdatedV1 } from '@saga/contracts';
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
});
