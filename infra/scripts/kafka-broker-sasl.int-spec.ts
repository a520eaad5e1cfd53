// A test of infra's SASL broker with the platform's own Kafka client settings as its client: it lives beside
// the broker it starts, since a library may not import infra/ (.dependency-cruiser.cjs).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Kafka, logLevel, type KafkaConfig, type KafkaMessage } from 'kafkajs';
import request from 'supertest';
import {
  OrderPlacedV1,
  PaymentFailedV1,
  TOPICS,
  createEvent,
  fromKafkaRecord,
  toKafkaRecord,
  type EventOf,
} from '@saga/contracts';
import { OnEvent, type SagaEventContext } from '@saga/messaging';
import { addToOutbox } from '@saga/outbox';
import { waitFor } from '@saga/common';
import { createTestDatabase, freePort, testTokenIssuer, type TestDatabase } from '@saga/test-kit';
import {
  PlatformModule,
  kafkaClientConfig,
  loadServiceConfig,
  startService,
  type RunningService,
  type ServiceDefinition,
} from '@saga/platform';
import { brokerAddress, brokerSettings, startBroker, stopBroker, type BrokerSettings } from './kafka-broker';
import { ensureTopics, waitForCoordinators } from './kafka-topics';
import { saslClientSecurity } from './kafka-broker-sasl';

/**
 * A stand-in for the payment service (a library may not import an app): it declines every placed order
 * through the outbox, so one record proves the consumer, the inbox, the relay and the producer at once.
 */
@Controller()
class DeclineEveryOrderHandler {
  @OnEvent(OrderPlacedV1)
  async onOrderPlaced(
    @Payload() event: EventOf<typeof OrderPlacedV1>,
    @Ctx() context: SagaEventContext,
  ): Promise<void> {
    const { orderId, customerId, totalCents: amountCents, currency } = event.data;
    const declined = createEvent(
      PaymentFailedV1,
      { orderId, customerId, amountCents, currency, reason: 'UNKNOWN_CUSTOMER' },
      { source: 'payment', causedBy: event },
    );
    await addToOutbox(context.manager, declined);
  }
}

@Module({})
class DeclineEveryOrderModule {
  static register(config: Parameters<typeof PlatformModule.forService>[0]): DynamicModule {
    return {
      module: DeclineEveryOrderModule,
      imports: [PlatformModule.forService(config, { entities: [], migrations: [] })],
      controllers: [DeclineEveryOrderHandler],
    };
  }
}

const decliningPayment: ServiceDefinition = {
  name: 'payment',
  module: (config) => DeclineEveryOrderModule.register(config),
};

const password = () => randomBytes(18).toString('hex');

/** The error `work` rejects with (fails when it resolves). */
async function rejectionOf(work: () => Promise<unknown>): Promise<Error> {
  try {
    await work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/**
 * Kafka with SASL/SCRAM end to end: a broker of its own whose only client listener takes SCRAM, and a
 * platform service configured for it by nothing but the environment (`KAFKA_SASL_*`), as in production.
 */
describe('Kafka over SASL/SCRAM (a dedicated broker)', () => {
  const home = mkdtempSync(join(tmpdir(), 'saga-kafka-sasl-'));
  const users = {
    broker: { name: 'broker', password: password() },
    saga: { name: 'saga', password: password() },
  };
  const saslEnv = {
    KAFKA_SASL_MECHANISM: 'scram-sha-256',
    KAFKA_SASL_USERNAME: users.saga.name,
    KAFKA_SASL_PASSWORD: users.saga.password,
  };
  const log = (line: string) => console.log(`[sasl broker] ${line}`);
  let settings: BrokerSettings;
  let brokerPid: number | undefined;
  let database: TestDatabase | undefined;
  let service: RunningService | undefined;

  /** A kafkajs client as the platform builds it, from these environment variables. */
  const platformClient = (env: Record<string, string>, extra: Partial<KafkaConfig> = {}) =>
    new Kafka({
      ...kafkaClientConfig(loadServiceConfig('order', { KAFKA_BROKERS: brokerAddress(settings), ...env })),
      logLevel: logLevel.NOTHING,
      ...extra,
    });

  beforeAll(async () => {
    settings = {
      ...brokerSettings({
        SAGA_LOCAL_DIR: home,
        KAFKA_PORT: String(await freePort()),
        KAFKA_CONTROLLER_PORT: String(await freePort()),
        KAFKA_HEAP: '256m',
        KAFKA_START_TIMEOUT_MS: '60000',
        KAFKA_LIB_DIR: process.env.KAFKA_LIB_DIR,
      }),
      sasl: { mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512'], users: [users.broker, users.saga] },
    };
    await startBroker(settings, log, (pid) => (brokerPid = pid));
    const admin = saslClientSecurity(settings.sasl);
    await ensureTopics([brokerAddress(settings)], 30_000, admin);
    await waitForCoordinators([brokerAddress(settings)], 30_000, admin);
    database = await createTestDatabase('kafka_sasl');
    service = await startService(decliningPayment, {
      PORT: '0',
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokerAddress(settings),
      LOG_LEVEL: 'warn',
      ...saslEnv,
      ...testTokenIssuer().serviceEnv(),
    });
  }, 150_000);

  afterAll(async () => {
    try {
      await service?.app.close();
      await database?.drop();
    } finally {
      if (brokerPid !== undefined) await stopBroker(settings, log, brokerPid);
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);

  it('boots a platform service from KAFKA_SASL_* and reports database, Kafka and relay ready', async () => {
    // Act
    const response = await request(service!.url).get('/health/ready');

    // Assert
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, kafka: { status: 'up' }, outbox: { status: 'up' } },
    });
  }, 30_000);

  it("carries an event through the service's consumer, inbox, outbox relay and producer", async () => {
    // Arrange
    const kafka = platformClient({ ...saslEnv, KAFKA_SASL_MECHANISM: 'scram-sha-512' });
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `sasl-test-${randomUUID()}` });
    const received: KafkaMessage[] = [];
    const orderId = randomUUID();
    const placed = createEvent(
      OrderPlacedV1,
      {
        orderId,
        customerId: 'alice',
        items: [{ sku: 'MOUSE-01', quantity: 1, unitPriceCents: 2900 }],
        totalCents: 2900,
        currency: 'EUR',
      },
      { source: 'test' },
    );
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.paymentEvents.name, fromBeginning: true });
    await consumer.run({ eachMessage: ({ message }) => Promise.resolve(void received.push(message)) });
    await producer.connect();

    try {
      // Act
      await producer.send({ topic: TOPICS.orderEvents.name, acks: -1, messages: [toKafkaRecord(placed)] });
      const events = () => received.map((message) => fromKafkaRecord(TOPICS.paymentEvents.name, message));
      const declined = await waitFor(() => events().find((event) => event.key === orderId), {
        timeoutMs: 30_000,
        what: `payment.failed.v1 for order ${orderId} on ${TOPICS.paymentEvents.name}`,
      }).catch((error: Error) => {
        const seen = events().map((event) => `${event.type} ${event.key}`);
        throw new Error(`${error.message}; records seen: ${JSON.stringify(seen)}`);
      });

      // Assert
      expect([declined.type, declined.correlationId]).toEqual(['payment.failed.v1', placed.id]);
    } finally {
      await Promise.all([producer.disconnect(), consumer.disconnect()]);
    }
  }, 60_000);

  it('refuses a client with a wrong password with an authentication error that never shows it', async () => {
    // Arrange
    const wrong = password();
    const admin = platformClient(
      { ...saslEnv, KAFKA_SASL_PASSWORD: wrong },
      { retry: { retries: 0 } },
    ).admin();

    // Act
    const error = await rejectionOf(() => admin.connect());

    // Assert
    expect(error.name).toBe('KafkaJSSASLAuthenticationError');
    expect(error.message).toMatch(/SASL SCRAM SHA256 authentication failed/);
    expect(error.message).not.toContain(wrong);
  }, 30_000);

  it('refuses a client without SASL on the SASL listener', async () => {
    // Arrange
    const admin = platformClient(
      {},
      { retry: { retries: 0 }, connectionTimeout: 2000, requestTimeout: 3000 },
    ).admin();

    // Act
    const error = await rejectionOf(async () => {
      await admin.connect();
      await admin.describeCluster();
    });
    await admin.disconnect();

    // Assert: the broker hangs up on a request that skipped the SASL handshake.
    expect(['KafkaJSConnectionClosedError', 'KafkaJSConnectionError']).toContain(error.name);
  }, 30_000);
});
