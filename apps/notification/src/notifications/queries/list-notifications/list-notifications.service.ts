import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { OrderId } from '@saga/contracts';
import { NotificationKind, NotificationStatus } from '../../notification-kind';

/** A notification as `GET /notifications` shows it. */
export const NotificationViewSchema = z
  .object({
    id: z.string(),
    orderId: OrderId,
    kind: NotificationKind,
    recipient: z.string().describe('`<customerId>@<MAIL_RECIPIENT_DOMAIN>`.'),
    subject: z.string(),
    status: NotificationStatus.describe(
      'PENDING until the SMTP server accepted the mail, then SENT; FAILED when it refused it for good.',
    ),
    messageId: z.string().describe("The e-mail's Message-ID header, the same for every copy sent."),
    attempts: z.number().int().min(0).describe('SMTP attempts so far (failed ones included).'),
    createdAt: z.iso.datetime().describe("When the order's terminal event was recorded (RFC 3339)."),
    sentAt: z.iso
      .datetime()
      .nullable()
      .describe('When the SMTP server accepted the mail; null while PENDING.'),
  })
  .meta({ id: 'Notification' });
export type NotificationView = z.infer<typeof NotificationViewSchema>;

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
