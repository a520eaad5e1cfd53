import { z } from 'zod';

/** An order's id: a UUID chosen by the order service; the key of every saga record. */
export const OrderId = z.uuid().describe('The order id (UUID); the Kafka key of every saga record.');

/** A customer's id, as the payment service knows it. */
export const CustomerId = z.string().min(1).max(64).describe('The customer id.');

/** A stock-keeping unit: the product's id. */
export const Sku = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9-]{0,63}$/, 'must be upper-case letters, digits and dashes')
  .describe('Stock-keeping unit: the product id.');

/** An amount of money in integer minor units (cents); never a float. */
export const Cents = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('Amount in minor units.');

/** ISO 4217 currency code. */
export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
  .describe('ISO 4217 currency code.');

/** A positive whole quantity of one SKU. */
export const Quantity = z.number().int().min(1).max(1_000_000).describe('How many units.');

/** One line of an order: a SKU and how many. */
export const OrderLine = z.object({ sku: Sku, quantity: Quantity });

/** Why something was cancelled or refunded, in words for people. */
export const Reason = z.string().min(1).max(500);

/** The fields every payment event carries: which order, whose money, how much. */
export const PaymentFields = {
  orderId: OrderId,
  customerId: CustomerId,
  amountCents: Cents,
  currency: Currency,
};

/** The fields of an order event that carries a reason (cancellation requested, cancelled). */
export const OrderReasonFields = { orderId: OrderId, customerId: CustomerId, reason: Reason };
