import { topicsConsumedBy, typesConsumedBy, type ServiceName } from '@saga/contracts';

/**
 * Which of the four services consumes which event type: a view of the choreography table
 * (`CHOREOGRAPHY` in `@saga/contracts`, the one place it is written). The audit uses it to check that
 * every record reached every consumer it should; the saga harness checks at start that the running
 * services' `@OnEvent` handlers are exactly the table's.
 */
export const SAGA_SUBSCRIPTIONS: Readonly<Record<ServiceName, readonly string[]>> = {
  order: typesConsumedBy('order'),
  payment: typesConsumedBy('payment'),
  inventory: typesConsumedBy('inventory'),
  notification: typesConsumedBy('notification'),
};

/** The topics a service's consumer reads (with a copy's `KAFKA_TOPIC_PREFIX`): `topicsConsumedBy`. */
export function subscribedTopics(service: ServiceName, prefix = ''): string[] {
  return topicsConsumedBy(service, prefix);
}
