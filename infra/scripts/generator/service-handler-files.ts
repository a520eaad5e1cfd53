import { useCaseClass } from './event-handler-files';
import type { ConsumedEvent, ProducedEvent, ServiceSpec } from './service-spec';

/*
 * The generated service's saga code (its handlers are in event-handler-files.ts): one use case per event,
 * and a builder (with its unit test) per event it produces.
 */

/** `src/orders/handle-<event>/handle-<event>.service.ts`: records the event; the first also publishes. */
export function useCase(spec: ServiceSpec, event: ConsumedEvent, publishes: boolean): string {
  const produced = publishes ? spec.produces : [];
  const builders = produced.map((p) => `import { ${p.builder} } from '../${p.kebab}';`);
  const publish =
    produced.length > 0
      ? `\n    await addToOutbox(manager, ${produced.map((p) => `${p.builder}(event)`).join(', ')});`
      : '';
  const what =
    produced.length > 0
      ? `records it against the order and publishes ${produced.map((p) => p.name).join(', ')} through the outbox, in the\n * same transaction: both commit with the inbox entry, or none does.`
      : "records it against the order, in the handler's transaction.";
  return `import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventOf, ${event.constName} } from '@saga/contracts';
${produced.length > 0 ? "import { addToOutbox } from '@saga/outbox';\n" : ''}${builders.join('\n')}${builders.length ? '\n' : ''}import { recordProgress } from '../order-progress.repository';

/**
 * The ${spec.name} service's answer to ${event.definition.name} (${event.definition.type}): ${what}
 */
@Injectable()
export class ${useCaseClass(event)} {
  async handle(manager: EntityManager, event: EventOf<typeof ${event.constName}>): Promise<void> {
    await recordProgress(manager, event);${publish}
  }
}
`;
}

/** `src/orders/<event>.ts`: builds a produced event from its cause. */
export function eventBuilder(spec: ServiceSpec, event: ProducedEvent): string {
  return `import { ${event.constName}, createEvent, type EventEnvelope, type EventOf } from '@saga/contracts';

/**
 * ${event.name} for the order of \`cause\`: the same order id (its Kafka key), the saga's correlation id,
 * and \`cause\` as its causation — so the saga's events read as one chain.
 */
export function ${event.builder}(
  cause: EventEnvelope<{ readonly orderId: string }>,
): EventOf<typeof ${event.constName}> {
  return createEvent(${event.constName}, { orderId: cause.data.orderId }, { source: '${spec.name}', causedBy: cause });
}
`;
}

/** `src/orders/<event>.spec.ts`: the builder's unit test. */
export function eventBuilderSpec(spec: ServiceSpec, event: ProducedEvent): string {
  return `import { ${event.constName}, TOPICS, type EventEnvelope } from '@saga/contracts';
import { ${event.builder} } from './${event.kebab}';

describe('${event.builder}', () => {
  const cause: EventEnvelope<{ orderId: string }> = {
    id: 'cause-1',
    type: 'order.confirmed.v1',
    source: '/saga-platform/order',
    time: '2026-01-01T00:00:00.000Z',
    correlationId: 'saga-1',
    topic: 'order.events',
    key: '6f1c1e0a-3b7e-4c1e-9d43-0d9c5b2f6a11',
    data: { orderId: '6f1c1e0a-3b7e-4c1e-9d43-0d9c5b2f6a11' },
  };

  it('publishes on ${spec.name}.events, keyed by the order id, valid against its contract', () => {
    // Act
    const event = ${event.builder}(cause);

    // Assert
    expect(event).toMatchObject({
      type: '${event.type}',
      source: '/saga-platform/${spec.name}',
      topic: TOPICS.${spec.topicKey}.name,
      key: cause.data.orderId,
    });
    expect(${event.constName}.schema.parse(event.data)).toEqual({ orderId: cause.data.orderId });
  });

  it('continues the saga of its cause: same correlation id, the cause as causation', () => {
    // Act
    const event = ${event.builder}(cause);

    // Assert
    expect(event.correlationId).toBe('saga-1');
    expect(event.causationId).toBe('cause-1');
    expect(event.id).not.toBe(cause.id);
  });
});
`;
}
