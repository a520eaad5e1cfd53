import { z } from 'zod';
import type { OrderStatus } from '../../orders/order-status';

/** Why an order was cancelled, in the dashboard's words. */
export type CancellationCategory = 'declined' | 'outOfStock' | 'byCustomer';

const Count = z.number().int().min(0);

/** `GET /dashboard/summary`: how the orders ended, or where they stand. */
export const OrderSummarySchema = z.object({
  total: Count,
  pending: Count,
  confirmed: Count,
  cancelling: Count,
  cancelled: z.object({
    total: Count,
    byCategory: z
      .object({ declined: Count, outOfStock: Count, byCustomer: Count })
      .describe(
        'declined: payment said no; outOfStock: inventory did; byCustomer: `POST /orders/:id/cancel`.',
      ),
    byReason: z
      .record(z.string(), Count)
      .describe("Per participant's code (`INSUFFICIENT_FUNDS`, `OUT_OF_STOCK`…), or the customer's words."),
  }),
});
export type OrderSummary = z.infer<typeof OrderSummarySchema>;

/**
 * How the saga words a participant's reason on the order (see orders/saga): `payment declined: <code>`
 * from PaymentFailed, `stock reservation failed: <code> [lines]` from StockReservationFailed or from
 * the refund that follows it.
 */
const PARTICIPANT_REASON = /^(payment declined|stock reservation failed): ([A-Z_]+)/;

const CATEGORY_OF_CODE: Readonly<Record<string, CancellationCategory>> = {
  INSUFFICIENT_FUNDS: 'declined',
  UNKNOWN_CUSTOMER: 'declined',
  CURRENCY_MISMATCH: 'declined',
  OUT_OF_STOCK: 'outOfStock',
  UNKNOWN_SKU: 'outOfStock',
};

/**
 * Why an order was cancelled: its category, and the participant's code (or the customer's words). An
 * order keeps its first reason, so a customer who cancelled first is counted as such.
 */
export function classifyCancellation(reason: string | null): {
  category: CancellationCategory;
  code: string;
} {
  const code = (reason && PARTICIPANT_REASON.exec(reason)?.[2]) || undefined;
  const category = code && CATEGORY_OF_CODE[code];
  return category ? { category, code } : { category: 'byCustomer', code: reason ?? 'cancelled' };
}

/** Counts per status (and per reason for the cancelled) into the summary. */
export function summarize(
  counts: readonly { status: OrderStatus; reason: string | null; count: number }[],
): OrderSummary {
  const byStatus: Record<OrderStatus, number> = { PENDING: 0, CONFIRMED: 0, CANCELLING: 0, CANCELLED: 0 };
  const byCategory: Record<CancellationCategory, number> = { declined: 0, outOfStock: 0, byCustomer: 0 };
  const byReason: Record<string, number> = {};
  for (const { status, reason, count } of counts) {
    byStatus[status] += count;
    if (status !== 'CANCELLED') continue;
    const { category, code } = classifyCancellation(reason);
    byCategory[category] += count;
    byReason[code] = (byReason[code] ?? 0) + count;
  }
  return {
    total: Object.values(byStatus).reduce((sum, n) => sum + n, 0),
    pending: byStatus.PENDING,
    confirmed: byStatus.CONFIRMED,
    cancelling: byStatus.CANCELLING,
    cancelled: { total: byStatus.CANCELLED, byCategory, byReason },
  };
}
