import type { ProducedEvent, ServiceSpec } from './service-spec';

/** `libs/contracts/src/<service>/<event>.v1.ts`: where a produced event's contract lives. */
export function contractPath(spec: ServiceSpec, event: ProducedEvent): string {
  return `libs/contracts/src/${spec.name}/${event.kebab}.v1.ts`;
}

/**
 * The contract of one produced event, version 1: the order id, which keys it on `<service>.events` so one
 * order's events stay in order. Its fields grow by new optional properties (or a v2 with an upcaster).
 */
export function contractFile(spec: ServiceSpec, event: ProducedEvent): string {
  return `import { z } from 'zod';
import { OrderId } from '../common';
import { defineEvent } from '../define-event';
import { TOPICS } from '../topics';

/** Published by the ${spec.name} service once it has acted on an order. */
export const ${event.constName} = defineEvent({
  type: '${event.type}',
  name: '${event.name}',
  version: 1,
  description: 'The ${spec.name} service has acted on the order (${event.name}).',
  topic: TOPICS.${spec.topicKey},
  schema: z.object({ orderId: OrderId }),
  key: (data) => data.orderId,
});
`;
}
