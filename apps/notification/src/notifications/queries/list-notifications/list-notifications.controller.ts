import { Controller, Get, Query } from '@nestjs/common';
import { OrderId } from '@saga/contracts';
import { Roles, parseRequest } from '@saga/platform';
import { ListNotificationsService, type NotificationView } from './list-notifications.service';

/**
 * `GET /notifications?orderId=<uuid>`: the e-mails recorded for an order; 400 without a valid orderId.
 * Admins only: a customer reads their e-mails in their mailbox, and this service does not know whose an
 * order is.
 */
@Controller('notifications')
@Roles('admin')
export class ListNotificationsController {
  constructor(private readonly notifications: ListNotificationsService) {}

  @Get()
  list(@Query('orderId') orderId: unknown): Promise<NotificationView[]> {
    return this.notifications.forOrder(parseRequest(OrderId, orderId, 'orderId query parameter'));
  }
}
