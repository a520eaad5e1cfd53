import { randomUUID } from 'node:crypto';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { OrderPlacedV1, createEvent, type EventData, type EventEnvelope } from '@saga/contracts';
import { OnEvent } from './on-event.decorator';
import { PassErrorsThroughFilter } from './pass-errors-through.filter';
import { NonRetriableError, type SagaEventContext } from './saga-event-context';
import { SagaKafkaServer } from './saga-kafka.server';

/*
 * The probe service the consumer's integration tests (saga-kafka.server.*.int-spec.ts) share: its
 * handler, its table, and how it starts. It imports nothing of @saga/testing, so that a file that is not
 * a spec stays clear of test code (dependency-cruiser); the specs bring the broker and the database.
 * Each spec file gets its own copy of this module, hence its own behaviours and counts.
 */

/** How the probe's handler treats the events of an order. */
export type Behaviour = 'fail-twice' | 'fail-always' | 'non-retriable' | 'slow' | 'database-down';
export const behaviour = new Map<string, Behaviour>();
/** How often the handler ran for an order, failed tries included. */
export const attempts = new Map<string, number>();
let releaseSlowHandler: () => void = () => undefined;
/** Lets the handler of a `slow` order return. */
export const releaseSlow = () => releaseSlowHandler();

/** The probe's table: one row per applied event, in commit order (`seq`). */
export const APPLIED_TABLE =
  'CREATE TABLE applied (seq bigserial, event_id text NOT NULL, order_id uuid NOT NULL)';

/** A consumer as a service writes one: thin, and every write through the context's manager. */
@Controller()
class ProbeHandlers {
  @OnEvent(OrderPlacedV1)
  async onOrderPlaced(
    @Payload() event: EventEnvelope<EventData<typeof OrderPlacedV1>>,
    @Ctx() context: SagaEventContext,
  ) {
    const { orderId } = event.data;
    attempts.set(orderId, (attempts.get(orderId) ?? 0) + 1);
    await context.manager.query('INSERT INTO applied (event_id, order_id) VALUES ($1, $2)', [
      event.id,
      orderId,
    ]);
    const mode = behaviour.get(orderId);
    if (mode === 'fail-twice' && context.attempt <= 2) throw new Error('database hiccup');
    if (mode === 'fail-always') throw new Error('still broken');
    if (mode === 'non-retriable') throw new NonRetriableError('contradicts the account');
    if (mode === 'slow') await new Promise<void>((resolve) => (releaseSlowHandler = resolve));
    if (mode === 'database-down' && context.attempt <= 6) {
      throw Object.assign(new Error('terminating connection due to administrator command'), {
        code: '57P01',
      });
    }
  }
}

@Module({ controllers: [ProbeHandlers] })
class ProbeModule {}

/** An OrderPlaced event of `orderId` (a new order by default). */
export const placed = (orderId: string = randomUUID()) =>
  createEvent(
    OrderPlacedV1,
    {
      orderId,
      customerId: 'c-1',
      items: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: 100 }],
      totalCents: 100,
      currency: 'EUR',
    },
    { source: 'order' },
  );

/** Starts the probe service on `topic`, with three tries and short delays; Nest's logs with TEST_LOGS only. */
export async function startProbe(settings: {
  kafka: Kafka;
  groupId: string;
  dataSource: DataSource;
  topic: string;
  deadLetterTopic: string;
}): Promise<{ server: SagaKafkaServer; app: INestMicroservice }> {
  const server = new SagaKafkaServer({
    kafka: settings.kafka,
    groupId: settings.groupId,
    dataSource: settings.dataSource,
    deadLetterTopic: settings.deadLetterTopic,
    topics: [settings.topic],
    retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
  });
  const app = await NestFactory.createMicroservice(ProbeModule, {
    strategy: server,
    logger: process.env.TEST_LOGS ? undefined : false,
  });
  app.useGlobalFilters(new PassErrorsThroughFilter());
  await app.listen();
  return { server, app };
}
