import { z } from 'zod';
import { CustomerId } from '@saga/contracts';
import { jsonResponse, operation, problemResponses, type ServiceApi } from '@saga/platform';
import { AccountViewSchema } from './accounts/get-account/get-account.service';

/** The payment service's own operations: customers' balances. */
export const paymentApi: ServiceApi = {
  description: "Holds customers' accounts: authorizes, refunds and compensates payments over Kafka.",
  paths: {
    '/accounts/{customerId}': {
      get: operation(['customer', 'admin'], {
        tags: ['accounts'],
        summary: "A customer's balance and currency",
        description: "The caller's own account (any, for an admin); another customer's answers 404.",
        requestParams: { path: z.object({ customerId: CustomerId }) },
        responses: {
          '200': jsonResponse('The account.', AccountViewSchema),
          ...problemResponses(400, 404),
        },
      }),
    },
  },
};
