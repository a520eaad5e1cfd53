import { ProductUpdatedV1 } from './catalog/product-updated.v1';
import { ProductUpdatedV2, upcastProductUpdatedV1 } from './catalog/product-updated.v2';
import type { EventDefinition } from './define-event';
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

/** Every published event version. A version, once published, is never changed or removed. */
export const EVENTS: readonly EventDefinition[] = [
  OrderPlacedV1,
  OrderConfirmedV1,
  OrderCancellationRequestedV1,
  OrderCancelledV1,
  PaymentAuthorizedV1,
  PaymentFailedV1,
  PaymentRefundedV1,
  StockReservedV1,
  StockReservationFailedV1,
  StockReleasedV1,
  ProductUpdatedV1,
  ProductUpdatedV2,
];

/** Turns the data of one version into the data of the next. */
export interface Upcaster {
  readonly from: EventDefinition;
  readonly to: EventDefinition;
  readonly upcast: (data: never) => unknown;
}

/** How older versions are read as newer ones, one step at a time. */
export const UPCASTERS: readonly Upcaster[] = [
  { from: ProductUpdatedV1, to: ProductUpdatedV2, upcast: upcastProductUpdatedV1 },
];

const byType = new Map(EVENTS.map((event) => [event.type, event]));

/** The definition of a CloudEvents type, or undefined for a type no contract declares. */
export function eventDefinition(type: string): EventDefinition | undefined {
  return byType.get(type);
}

/** The upcaster that reads `type` as its next version, if there is one. */
export function upcasterFrom(type: string): Upcaster | undefined {
  return UPCASTERS.find((upcaster) => upcaster.from.type === type);
}

/** The type a record of `type` is read as: the newest version its upcasters reach. */
export function readAsType(type: string): string {
  let current = type;
  for (let upcaster = upcasterFrom(current); upcaster; upcaster = upcasterFrom(current)) {
    current = upcaster.to.type;
  }
  return current;
}
