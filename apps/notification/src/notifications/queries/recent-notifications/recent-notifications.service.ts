import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryNotifications, type NotificationView } from '../list-notifications/list-notifications.service';

/** Reads the latest notifications of every order, newest first: the dashboard's e-mail list. */
@Injectable()
export class RecentNotificationsService {
  constructor(private readonly dataSource: DataSource) {}

  latest(limit: number): Promise<NotificationView[]> {
    return queryNotifications(this.dataSource, 'ORDER BY created_at DESC, id DESC LIMIT $1', [limit]);
  }
}
