import {
  OrderCancellationRequestedV1,
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderPlacedV1,
  PaymentAuthorizedV1,
  PaymentFailedV1,
  PaymentRefundedV1,
  ProductUpdatedV2,
  StockReleasedV1,
  StockReservationFailedV1,
  StockReservedV1,
  eventDefinition,
  type ServiceName,
} from '@saga/contracts';

/**
 * Which service consumes which event type: the choreography of docs/design.md as data. The audit uses it to
 * check that every record reached every consumer it should; the saga harness checks at start that the
 * running services' `@OnEvent` handlers are exactly these, so the table cannot drift from the code.
 */
export const SAGA_SUBSCRIPTIONS: Readonly<Record<ServiceName, readonly string[]>> = {
  order: [
    PaymentAuthorizedV1,
    PaymentFailedV1,
    PaymentRefundedV1,
    StockReservedV1,
    StockReservationFailedV1,
    StockReleasedV1,
    ProductUpdatedV2,
  ].map((event) => event.type),
  payment: [OrderPlacedV1, OrderCancellationRequestedV1, StockReservationFailedV1].map((event) => event.type),
  inventory: [PaymentAuthorizedV1, OrderCancellationRequestedV1].map((event) => event.type),
  notification: [OrderConfirmedV1, OrderCancelledV1].map((event) => event.type),
};

/** The topics a service's consumer reads (with a copy's `KAFKA_TOPIC_PREFIX`): those of its event types. */
export function subscribedTopics(service: ServiceName, prefix = ''): string[] {
  const topics = SAGA_SUBSCRIPTIONS[service].map((type) => `${prefix}${eventDefinition(type)!.topic.name}`);
  return [...new Set(topics)];
}
