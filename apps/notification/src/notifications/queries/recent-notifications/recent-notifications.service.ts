import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { NotificationKind, NotificationStatus } from '../../notification-kind';
import type { NotificationView } from '../list-notifications/list-notifications.service';

interface NotificationRow {
  id: string;
  order_id: string;
  kind: NotificationKind;
  recipient: string;
  subject: string;
  status: NotificationStatus;
  message_id: string;
  attempts: number;
  created_at: Date;
  sent_at: Date | null;
}

/** Reads the latest notifications of every order, newest first: the dashboard's e-mail list. */
@Injectable()
export class RecentNotificationsService {
  constructor(private readonly dataSource: DataSource) {}

  async latest(limit: number): Promise<NotificationView[]> {
    const rows = await this.dataSource.query<NotificationRow[]>(
      `SELECT id, order_id, kind, recipient, subject, status, message_id, attempts, created_at, sent_at
         FROM notifications ORDER BY created_at DESC, id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      id: row.id,
      orderId: row.order_id,
      kind: row.kind,
      recipient: row.recipient,
      subject: row.subject,
      status: row.status,
      messageId: row.message_id,
      attempts: row.attempts,
      createdAt: row.created_at.toISOString(),
      sentAt: row.sent_at?.toISOString() ?? null,
    }));
  }
}
