import { z } from 'zod';
import { CustomerId, OrderLine, Quantity } from '@saga/contracts';

/** The most lines one order may have (the OrderPlaced contract's limit). */
export const MAX_ORDER_LINES = 50;

/** The most units of one SKU an order may ask for over HTTP (the contract allows more; a shop does not). */
export const MAX_LINE_QUANTITY = 1000;

/** A customer id the order service accepts. Stricter than the contract: it ends up in an e-mail address (docs/saga.md). */
export const OrderCustomerId = CustomerId.regex(
  /^[A-Za-z0-9._-]+$/,
  'must be letters, digits, dots, dashes or underscores',
);

/**
 * `POST /orders` body: what is ordered, and optionally for whom (the token's customer when absent; see
 * the controller). No prices: they come from the catalog replica. Unknown fields are rejected rather
 * than ignored, so a client sending `priceCents` learns it has no effect.
 */
export const PlaceOrderBody = z
  .object({
    customerId: OrderCustomerId.optional(),
    items: z
      .array(OrderLine.extend({ quantity: Quantity.max(MAX_LINE_QUANTITY) }).strict())
      .min(1)
      .max(MAX_ORDER_LINES),
  })
  .strict()
  .superRefine((body, context) => {
    const seen = new Set<string>();
    body.items.forEach((item, index) => {
      if (seen.has(item.sku)) {
        context.addIssue({
          code: 'custom',
          path: ['items', index, 'sku'],
          message: `${item.sku} appears twice; put its whole quantity on one line`,
        });
      }
      seen.add(item.sku);
    });
  });

export type PlaceOrderBody = z.infer<typeof PlaceOrderBody>;

/** An order to place: the body with its customer settled. */
export type OrderToPlace = PlaceOrderBody & { readonly customerId: string };

/** `Idempotency-Key` header: any printable ASCII, up to 200 characters. */
export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1 to 200 printable ASCII characters without spaces');
