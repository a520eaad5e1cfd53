import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from '@saga/contracts';
import { MAIL_CONFIG, type MailConfig } from '../../config/mail-config';
import type { MailContent } from '../../templates/mail-content';
import { MAIL_CHANNEL, notificationMessageId, type NotificationKind } from '../notification-kind';
import { recipientAddress } from './recipient-address';

/** What every terminal order event carries that a notification needs. */
interface OrderEventData {
  readonly orderId: string;
  readonly customerId: string;
}

/**
 * Records the e-mail for an order's terminal event as a PENDING row, in the handler's transaction.
 * Nothing is sent here: the {@link MailDispatcherService} sends after commit, so an SMTP outage delays
 * mail instead of failing (and in the end dead-lettering) the event.
 *
 * The recipient is `<customerId>@<MAIL_RECIPIENT_DOMAIN>`: saga events carry a customer id but no
 * address, and the platform has no customer directory.
 *
 * One row per order and kind (`UNIQUE (order_id, kind)`): the inbox drops a redelivered record, and the
 * conflict clause drops the same fact under a new event id (a re-published event). The unique index also
 * serialises two such inserts, so no per-order advisory lock is needed.
 */
@Injectable()
export class RecordNotificationService {
  constructor(@Inject(MAIL_CONFIG) private readonly mail: MailConfig) {}

  /** Returns true if a new notification was recorded, false if the order already had one of this kind. */
  async record(
    manager: EntityManager,
    event: EventEnvelope<OrderEventData>,
    kind: NotificationKind,
    content: MailContent,
  ): Promise<boolean> {
    const { orderId, customerId } = event.data;
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO notifications (order_id, kind, event_id, recipient, subject, body, message_id, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'PENDING')
       ON CONFLICT (order_id, kind) DO NOTHING
       RETURNING id`,
      [
        orderId,
        kind,
        event.id,
        recipientAddress(customerId, this.mail.recipientDomain),
        content.subject,
        content.text,
        notificationMessageId(orderId, kind),
      ],
    );
    if (inserted.length === 0) return false;
    // Delivered at commit only, so the dispatcher never looks before the row is visible.
    await manager.query(`SELECT pg_notify('${MAIL_CHANNEL}', '')`);
    return true;
  }
}
