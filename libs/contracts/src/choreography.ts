/**
 * The choreography: which service consumes which events, written once. Every service's `@OnEvent`
 * handlers take exactly its events here (a unit test reads the apps' handlers, the saga harness the
 * running consumers'), its consumer reads exactly their topics, and the audit checks each record reached
 * every consumer listed. docs/saga.md's "Who consumes what" is checked against it too.
 */
import type { EventDefinition } from './define-event';
import { ProductUpdatedV2 } from './catalog/product-updated.v2';
import { StockReleasedV1 } from './inventory/stock-released.v1';
import { StockReservationFailedV1 } from './inventory/stock-reservation-failed.v1';
import { StockReservedV1 } from './inventory/stock-reserved.v1';
import { OrderCancellationRequestedV1 } from './order/order-cancellation-requested.v1';
import { OrderCancelledV1 } from './order/order-cancelled.v1';
import { OrderConfirmedV1 } from './order/order-confirmed.v1';
import { OrderPlacedV1 } from './order/order-placed.v1';
import { PaymentAuthorizedV1 } from './payment/payment-authorized.v1';
import { PaymentFailedV1 } from './payment/payment-failed.v1';
import { PaymentRefundedV1 } from './payment/payment-refunded.v1';
import type { PlatformServiceName } from './services';

/**
 * The events each service consumes, by definition: the four of DESIGN.md, then those added by
 * `npm run generate:service` (which appends here). A consumer lists the newest version of an event:
 * older records are read as it (the upcasters).
 */
export const CHOREOGRAPHY = {
  order: [
    PaymentAuthorizedV1,
    PaymentFailedV1,
    PaymentRefundedV1,
    StockReservedV1,
    StockReservationFailedV1,
    StockReleasedV1,
    ProductUpdatedV2,
  ],
  payment: [OrderPlacedV1, OrderCancellationRequestedV1, StockReservationFailedV1],
  inventory: [PaymentAuthorizedV1, OrderCancellationRequestedV1],
  notification: [OrderConfirmedV1, OrderCancelledV1],
  // generate:service adds new consumers above this line.
} as const satisfies Record<PlatformServiceName, readonly EventDefinition[]>;

/** The events a service consumes, as {@link CHOREOGRAPHY} lists them. */
export function eventsConsumedBy(service: PlatformServiceName): readonly EventDefinition[] {
  return (CHOREOGRAPHY as Readonly<Record<PlatformServiceName, readonly EventDefinition[]>>)[service];
}

/** The CloudEvents types a service's `@OnEvent` handlers take: `order.placed.v1`, … */
export function typesConsumedBy(service: PlatformServiceName): string[] {
  return eventsConsumedBy(service).map((event) => event.type);
}

/**
 * The topics a service's consumer subscribes to: those of the events it consumes, each once, in the
 * table's order, with a copy's `KAFKA_TOPIC_PREFIX` in front.
 */
export function topicsConsumedBy(service: PlatformServiceName, prefix = ''): string[] {
  return [...new Set(eventsConsumedBy(service).map((event) => `${prefix}${event.topic.name}`))];
}

/** The services that consume `type` (a type as it is read: the newest version), in the table's order. */
export function consumersOf(type: string): PlatformServiceName[] {
  return (Object.keys(CHOREOGRAPHY) as PlatformServiceName[]).filter((service) =>
    typesConsumedBy(service).includes(type),
  );
}
