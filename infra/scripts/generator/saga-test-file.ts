import type { EventDefinition } from '@saga/contracts';
import { camelCase } from './names';
import type { ServiceSpec } from './service-spec';

/** A saga path that makes the order service and its peers publish a given event, as test code. */
interface Scenario {
  /** What the order goes through, for the test's title. */
  readonly title: string;
  /** Statements that leave `order` (an OrderView) settled after the path. */
  readonly code: string;
}

const confirmed: Scenario = {
  title: 'a confirmed order',
  code: `const order = await saga.placeOrderAndWait({ customerId: 'rich', items: [{ sku: 'WIDGET', quantity: 1 }] });
    expect(order.status).toBe('CONFIRMED');`,
};

const declined: Scenario = {
  title: 'an order whose payment is declined',
  code: `const order = await saga.placeOrderAndWait({ customerId: 'poor', items: [{ sku: 'GADGET', quantity: 1 }] });
    expect(order.status).toBe('CANCELLED');`,
};

const soldOut: Scenario = {
  title: 'an order whose stock runs out',
  code: `const order = await saga.placeOrderAndWait({
      customerId: 'rich',
      items: [
        { sku: 'WIDGET', quantity: 1 },
        { sku: 'NONE', quantity: 1 },
      ],
    });
    expect(order.status).toBe('CANCELLED');`,
};

const cancelled: Scenario = {
  title: 'a confirmed order, then cancelled',
  code: `const placed = await saga.placeOrderAndWait({ customerId: 'rich', items: [{ sku: 'WIDGET', quantity: 1 }] });
    expect((await saga.cancelOrder(placed.orderId)).status).toBe(202);
    const order = await saga.waitForSettled(placed.orderId, 60_000, 'CANCELLED');`,
};

/** The path on which each saga event is published (docs/design.md's paths). */
const SCENARIOS: Readonly<Record<string, Scenario>> = {
  OrderPlaced: confirmed,
  PaymentAuthorized: confirmed,
  StockReserved: confirmed,
  OrderConfirmed: confirmed,
  PaymentFailed: declined,
  StockReservationFailed: soldOut,
  OrderCancellationRequested: cancelled,
  PaymentRefunded: cancelled,
  StockReleased: cancelled,
  OrderCancelled: cancelled,
};

/** The path that publishes `event`; a confirmed order for an event of a service added since. */
function scenarioFor(event: string): Scenario {
  return SCENARIOS[event] ?? confirmed;
}

/**
 * The new service's end-to-end test: the four services and the new one on a private copy of the
 * platform (real Kafka, real PostgreSQL), an order down the path that publishes the first consumed event,
 * then that event's record redelivered. The new service must apply it once and publish once.
 */
export function sagaTestFile(spec: ServiceSpec): string {
  const [first] = spec.consumes;
  const event = first.definition;
  const scenario = scenarioFor(event.name);
  const produced = spec.produces;
  const publishes = produced.length > 0;
  const contractImports = ['fromKafkaRecord', 'recordHeader', 'type EventEnvelope'];
  return `import type { KafkaMessage } from 'kafkajs';
import { readToEnd, waitFor } from '@saga/common';
import { ${contractImports.join(', ')} } from '@saga/contracts';
import { testKafka } from '@saga/test-kit';
import { SagaHarness } from '@saga/testing';
import { ${spec.camel}Service } from '../../apps/${spec.name}/src/app.module';
import { SEED, SERVICES } from '../saga/saga-fixtures';

/** A record of the copy's topics, decoded, with the message it came in. */
interface Seen {
  readonly event: EventEnvelope;
  readonly message: KafkaMessage;
}

/** The topics and types the ${spec.name} service consumes. */
const CONSUMED = [${spec.consumes.map((e) => `['${e.definition.topic.name}', '${e.definition.type}']`).join(', ')}] as const;

describe('the ${spec.name} service in the order saga (real Kafka and PostgreSQL)', () => {
  let saga: SagaHarness;

  beforeAll(async () => {
    saga = await SagaHarness.start('${spec.name}', { ...SERVICES, ${spec.name}: ${spec.camel}Service }, SEED);
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  /** Every record of one order and type on a topic of the copy (its logical name), from the start. */
  async function recordsOf(topic: string, type: string, orderId: string): Promise<Seen[]> {
    const seen: Seen[] = [];
    await readToEnd(testKafka('${spec.name}-e2e'), [saga.platform.topicPrefix + topic], (_topic, _partition, message) => {
      if (recordHeader(message, 'ce_type') !== type || message.key?.toString() !== orderId) return;
      seen.push({ event: fromKafkaRecord(topic, message), message });
    });
    return seen;
  }

  /**
   * The ${spec.name} service's row for the order, once it has applied each event of the order it consumes
   * that is in the log — once: a redelivered record is the same event (same id), so it does not count.
   */
  function appliedOnce(orderId: string) {
    return waitFor(
      async () => {
        const ids = new Set<string>();
        for (const [topic, type] of CONSUMED) {
          (await recordsOf(topic, type, orderId)).forEach(({ event }) => ids.add(event.id));
        }
        const [row] = await saga.query<{ last_event_type: string; events_seen: number }>(
          '${spec.name}',
          'SELECT last_event_type, events_seen FROM order_progress WHERE order_id = $1',
          [orderId],
        );
        return ids.size > 0 && row?.events_seen === ids.size ? row : undefined;
      },
      { timeoutMs: 30_000, what: \`${spec.name} to apply each event of order \${orderId} once\` },
    );
  }
${publishes ? publishedHelper(spec) : ''}
  it('is ready beside the four: database, Kafka, outbox relay and consumer up', async () => {
    // Act
    const response = await fetch(\`\${saga.platform.url('${spec.name}')}/health/ready\`);

    // Assert
    expect(response.status).toBe(200);
  });

  it('applies ${event.name} of ${scenario.title}${publishes ? ` and publishes ${produced.map((p) => p.name).join(', ')}` : ''}', async () => {
    // Act
    ${scenario.code}

    // Assert
    await expect(appliedOnce(order.orderId)).resolves.toMatchObject({ last_event_type: expect.any(String) });
${publishedAsserts(spec, event)}
  });

  it('applies a redelivered ${event.name} once: the inbox drops the duplicate', async () => {
    // Arrange: an order down the same path, and the very record the ${spec.name} service consumed
    ${scenario.code}
${spec.produces.map((p) => `    await publishedOnce('${p.type}', order.orderId);\n`).join('')}    const before = await appliedOnce(order.orderId);
    const [original] = await recordsOf('${event.topic.name}', '${event.type}', order.orderId);
    const consumer = saga.platform.instance('${spec.name}')!.consumer;
    const duplicates = consumer.stats.duplicates;
    const headers = Object.fromEntries(
      Object.keys(original.message.headers ?? {}).map((name) => [name, recordHeader(original.message, name)!]),
    );

    // Act
    await saga.produce('${event.topic.name}', [{ key: order.orderId, value: original.message.value, headers }]);
    await waitFor(() => consumer.stats.duplicates > duplicates || undefined, {
      timeoutMs: 30_000,
      what: 'the ${spec.name} service to drop the redelivered record as a duplicate',
    });

    // Assert
    await expect(appliedOnce(order.orderId)).resolves.toEqual(before);
${produced.map((p) => `    await expect(recordsOf('${spec.name}.events', '${p.type}', order.orderId)).resolves.toHaveLength(1);`).join('\n')}
  });
});
`;
}

function publishedHelper(spec: ServiceSpec): string {
  return `
  /** The one record of \`type\` the ${spec.name} service published for the order, once it is on the topic. */
  function publishedOnce(type: string, orderId: string) {
    return waitFor(
      async () => {
        const records = await recordsOf('${spec.name}.events', type, orderId);
        if (records.length > 1) throw new Error(\`\${type} published \${records.length} times for \${orderId}\`);
        return records[0];
      },
      { timeoutMs: 30_000, what: \`\${type} for order \${orderId} on ${spec.name}.events\` },
    );
  }
`;
}

/** Checks that the produced event is on the topic once and continues the consumed event's saga. */
function publishedAsserts(spec: ServiceSpec, consumed: EventDefinition): string {
  if (spec.produces.length === 0) return '';
  const cause = `    const [cause] = await recordsOf('${consumed.topic.name}', '${consumed.type}', order.orderId);\n`;
  return (
    cause +
    spec.produces
      .map(
        (
          produced,
        ) => `    const ${camelCase(produced.name)}Record = await publishedOnce('${produced.type}', order.orderId);
    expect(${camelCase(produced.name)}Record.event).toMatchObject({
      data: { orderId: order.orderId },
      causationId: cause.event.id,
      correlationId: cause.event.correlationId,
    });`,
      )
      .join('\n')
  );
}
