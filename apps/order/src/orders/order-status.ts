/** Where an order stands (DESIGN.md): PENDING → CONFIRMED, or → CANCELLING → CANCELLED. */
export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLING' | 'CANCELLED';

/** What the payment service reported for the order. */
export type PaymentStatus = 'PENDING' | 'AUTHORIZED' | 'FAILED' | 'REFUNDED';

/** What the inventory service reported for the order. */
export type StockStatus = 'PENDING' | 'RESERVED' | 'FAILED' | 'RELEASED';

/** The states a customer may cancel from (DESIGN.md: `POST /orders/:id/cancel`). */
export const CANCELLABLE: readonly OrderStatus[] = ['PENDING', 'CONFIRMED'];

/** One step of an order's saga, as `GET /orders/:id` lists it. */
export type TimelineStep =
  | 'PLACED'
  | 'PAYMENT_AUTHORIZED'
  | 'PAYMENT_FAILED'
  | 'PAYMENT_REFUNDED'
  | 'STOCK_RESERVED'
  | 'STOCK_RESERVATION_FAILED'
  | 'STOCK_RELEASED'
  | 'CONFIRMED'
  | 'CANCELLATION_REQUESTED'
  | 'CANCELLED';
