import { z } from 'zod';

/** Where an order stands (docs/design.md): PENDING → CONFIRMED, or → CANCELLING → CANCELLED. */
export const OrderStatus = z
  .enum(['PENDING', 'CONFIRMED', 'CANCELLING', 'CANCELLED'])
  .meta({ id: 'OrderStatus', description: 'PENDING → CONFIRMED, or → CANCELLING → CANCELLED.' });
export type OrderStatus = z.infer<typeof OrderStatus>;

/** What the payment service reported for the order. */
export type PaymentStatus = 'PENDING' | 'AUTHORIZED' | 'FAILED' | 'REFUNDED';

/** What the inventory service reported for the order. */
export type StockStatus = 'PENDING' | 'RESERVED' | 'FAILED' | 'RELEASED';

/** The states a customer may cancel from (docs/design.md: `POST /orders/:id/cancel`). */
export const CANCELLABLE: readonly OrderStatus[] = ['PENDING', 'CONFIRMED'];

/** One step of an order's saga, as `GET /orders/:id` lists it. */
export const TimelineStep = z
  .enum([
    'PLACED',
    'PAYMENT_AUTHORIZED',
    'PAYMENT_FAILED',
    'PAYMENT_REFUNDED',
    'STOCK_RESERVED',
    'STOCK_RESERVATION_FAILED',
    'STOCK_RELEASED',
    'CONFIRMED',
    'CANCELLATION_REQUESTED',
    'CANCELLED',
  ])
  .meta({ id: 'TimelineStep', description: "One step of an order's saga." });
export type TimelineStep = z.infer<typeof TimelineStep>;
