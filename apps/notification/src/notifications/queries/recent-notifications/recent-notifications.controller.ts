import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { Roles, parseRequest } from '@saga/platform';
import type { NotificationView } from '../list-notifications/list-notifications.service';
import { RecentNotificationsService } from './recent-notifications.service';

/** `limit`: 1 to 100, 20 when absent. */
export const Limit = z.coerce.number().int('must be an integer').min(1).max(100).default(20);

/**
 * `GET /notifications/recent?limit=20`: the latest e-mails of every order, newest first, in the shape
 * of `GET /notifications?orderId=`. `GET /notifications` itself still needs an orderId. Admins only (the
 * dashboard).
 */
@Controller('notifications')
@Roles('admin')
export class RecentNotificationsController {
  constructor(private readonly notifications: RecentNotificationsService) {}

  @Get('recent')
  recent(@Query('limit') limit: unknown): Promise<NotificationView[]> {
    return this.notifications.latest(parseRequest(Limit, limit, 'limit query parameter'));
  }
}
