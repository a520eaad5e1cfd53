import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { NotificationKind, NotificationStatus } from '../../notification-kind';

/** A notification as `GET /notifications` shows it. */
export interface NotificationView {
  readonly id: string;
  readonly orderId: string;
  readonly kind: NotificationKind;
  /** `<customerId>@<MAIL_RECIPIENT_DOMAIN>`. */
  readonly recipient: string;
  readonly subject: string;
  /** PENDING until the SMTP server accepted the mail, then SENT. */
  readonly status: NotificationStatus;
  /** The e-mail's Message-ID header, the same for every copy sent. */
  readonly messageId: string;
  /** SMTP attempts so far (failed ones included). */
  readonly attempts: number;
  /** When the order's terminal event was recorded (RFC 3339). */
  readonly createdAt: string;
  /** When the SMTP server accepted the mail; null while PENDING. */
  readonly sentAt: string | null;
}

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

/**
 * Reads notifications as the API shows them, selected and ordered by `clause` (the SQL after FROM). The one query behind `GET /notifications` and `GET /notifications/recent`.
 */
export async function queryNotifications(
  dataSource: DataSource,
  clause: string,
  params: unknown[],
): Promise<NotificationView[]> {
  const rows = await dataSource.query<NotificationRow[]>(
    `SELECT id, order_id, kind, recipient, subject, status, message_id, attempts, created_at, sent_at
       FROM notifications ${clause}`,
    params,
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

/** Reads an order's notifications, oldest first (a confirmed then cancelled order has two). */
@Injectable()
export class ListNotificationsService {
  constructor(private readonly dataSource: DataSource) {}

  forOrder(orderId: string): Promise<NotificationView[]> {
    return queryNotifications(this.dataSource, 'WHERE order_id = $1 ORDER BY created_at, id', [orderId]);
  }
}
