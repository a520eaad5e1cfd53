import { z } from 'zod';
import { OrderId } from '@saga/contracts';
import { jsonResponse, operation, problemResponses, type ServiceApi } from '@saga/platform';
import { NotificationViewSchema } from './notifications/queries/list-notifications/list-notifications.service';
import { Limit } from './notifications/queries/recent-notifications/recent-notifications.controller';

/** The notification service's own operations: the e-mails it recorded, for admins. */
export const notificationApi: ServiceApi = {
  description:
    'E-mails the customer when an order is confirmed or cancelled. Admins only: a customer reads their e-mails in their mailbox.',
  paths: {
    '/notifications': {
      get: operation(['admin'], {
        tags: ['notifications'],
        summary: 'The e-mails recorded for an order, oldest first',
        requestParams: { query: z.object({ orderId: OrderId }) },
        responses: {
          '200': jsonResponse('The e-mails.', z.array(NotificationViewSchema)),
          ...problemResponses(400),
        },
      }),
    },
    '/notifications/recent': {
      get: operation(['admin'], {
        tags: ['notifications'],
        summary: 'The newest e-mails of every order, newest first',
        requestParams: { query: z.object({ limit: Limit.describe('1 to 100; 20 when absent.') }) },
        responses: {
          '200': jsonResponse('The e-mails.', z.array(NotificationViewSchema)),
          ...problemResponses(400),
        },
      }),
    },
  },
};
