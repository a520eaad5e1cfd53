import { z } from 'zod';
import { OrderId } from '@saga/contracts';
import {
  jsonBody,
  jsonResponse,
  notNowResponse,
  operation,
  problemResponse,
  problemResponses,
  type ServiceApi,
} from '@saga/platform';
import { DashboardConfigSchema } from './dashboard/dashboard-config';
import { DashboardSummarySchema } from './dashboard/summary/dashboard-summary.service';
import { CancelOrderBody } from './orders/commands/cancel-order/cancel-order.controller';
import { CancellingOrderSchema } from './orders/commands/cancel-order/cancel-order.service';
import { IdempotencyKey, PlaceOrderBody } from './orders/commands/place-order/place-order.dto';
import { PlacedOrderSchema } from './orders/commands/place-order/place-order.service';
import { OrderViewSchema } from './orders/queries/get-order/get-order.service';

const OrderPath = z.object({ id: OrderId });
const CUSTOMER_OR_ADMIN = ['customer', 'admin'] as const;

/** The order service's own operations: orders, and the live dashboard. */
export const orderApi: ServiceApi = {
  description:
    'Places, reads and cancels orders; the saga runs over Kafka behind them. Also serves the live saga dashboard.',
  paths: {
    '/orders': {
      post: operation(CUSTOMER_OR_ADMIN, {
        tags: ['orders'],
        summary: 'Places an order',
        description:
          "Accepted at once; the saga decides the rest. A customer's order is their own: `customerId` may be " +
          "left out, and must be the token's if given (403). An admin must name the customer. Prices come " +
          'from the catalog replica. With an `Idempotency-Key`, the same key and body answer the same order ' +
          'again; the same key with another body is a 409. Each customer may place `ORDER_RATE_LIMIT` orders ' +
          'a window (429 beyond); admins are not limited.',
        requestParams: {
          header: z.object({
            'Idempotency-Key': IdempotencyKey.optional().describe(
              "Makes a retry safe: unique per customer (another customer's use of it is not visible).",
            ),
          }),
        },
        requestBody: jsonBody(PlaceOrderBody),
        responses: {
          '202': {
            ...jsonResponse('Accepted: the saga has started.', PlacedOrderSchema),
            headers: z.object({ Location: z.string().describe('`/orders/<orderId>`.') }),
          },
          ...problemResponses(400, 409, 413, 415),
          '422': problemResponse(
            422,
            'A SKU the catalog does not know (`unknownSkus`) or no longer sells (`discontinuedSkus`), lines in two currencies, or a total too large.',
          ),
          '429': {
            ...problemResponse(429, 'Too many orders of this customer in the window (`ORDER_RATE_LIMIT`).'),
            headers: z.object({
              'Retry-After-orders': z
                .string()
                .regex(/^\d+$/)
                .describe(
                  'Seconds until this customer may order again (the throttler names it after its limit, `orders`).',
                ),
            }),
          },
          '503': notNowResponse(
            'Not now: more requests at once than the service works on (`ORDER_ADMISSION_*`), `ORDER_MAX_UNSETTLED` orders not settled yet, or the database unavailable. Nothing was created: send it again after `Retry-After`, with the same `Idempotency-Key`.',
          ),
        },
      }),
    },
    '/orders/{id}': {
      get: operation(CUSTOMER_OR_ADMIN, {
        tags: ['orders'],
        summary: 'An order, its lines and its saga timeline',
        description: "The caller's own order (any, for an admin); another customer's answers 404.",
        requestParams: { path: OrderPath },
        responses: {
          '200': jsonResponse('The order.', OrderViewSchema),
          ...problemResponses(400, 404),
        },
      }),
    },
    '/orders/{id}/cancel': {
      post: operation(CUSTOMER_OR_ADMIN, {
        tags: ['orders'],
        summary: 'Cancels an order',
        description:
          'From PENDING or CONFIRMED: the order becomes CANCELLING, the payment is refunded and the stock ' +
          "released, then it is CANCELLED. The caller's own order only (any, for an admin).",
        requestParams: { path: OrderPath },
        requestBody: jsonBody(CancelOrderBody, false),
        responses: {
          '202': jsonResponse('Accepted: the compensations follow.', CancellingOrderSchema),
          ...problemResponses(400, 404, 413, 415),
          '409': problemResponse(409, 'The order is neither PENDING nor CONFIRMED.'),
        },
      }),
    },
    '/': {
      get: operation('public', {
        tags: ['dashboard'],
        summary: 'The live saga dashboard (a page)',
        description: 'Holds no data: what it shows, it reads with an admin token.',
        responses: { '200': { description: 'The page.', content: { 'text/html': { schema: z.string() } } } },
      }),
    },
    '/dashboard/assets/{file}': {
      get: operation('public', {
        tags: ['dashboard'],
        summary: "The dashboard's scripts, styles and images",
        requestParams: { path: z.object({ file: z.string().regex(/^[\w-]+\.(js|css|svg)$/) }) },
        responses: {
          '200': {
            description: 'The file.',
            content: {
              'text/javascript': { schema: z.string() },
              'text/css': { schema: z.string() },
              'image/svg+xml': { schema: z.string() },
            },
          },
          ...problemResponses(404),
        },
      }),
    },
    '/dashboard/config': {
      get: operation(['admin'], {
        tags: ['dashboard'],
        summary: 'Where the dashboard finds the other services',
        responses: { '200': jsonResponse('The peers.', DashboardConfigSchema) },
      }),
    },
    '/dashboard/summary': {
      get: operation(['admin'], {
        tags: ['dashboard'],
        summary: 'How the orders ended, or where they stand, and the stuck ones',
        responses: { '200': jsonResponse('The counters.', DashboardSummarySchema) },
      }),
    },
    '/dashboard/stream': {
      get: operation(['admin'], {
        tags: ['dashboard'],
        summary: 'The saga live: a snapshot of the latest orders, then each new timeline step',
        description:
          'Server-Sent Events; each `data:` is JSON, `{ kind: "snapshot", orders }` first, then ' +
          '`{ kind: "steps", steps, orders }`. The stream does not end.',
        responses: {
          '200': { description: 'The stream.', content: { 'text/event-stream': { schema: z.string() } } },
        },
      }),
    },
  },
};
