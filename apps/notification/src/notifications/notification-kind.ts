import { z } from 'zod';

/** Which terminal state of an order an e-mail announces; at most one e-mail per order and kind. */
export const NotificationKind = z.enum(['ORDER_CONFIRMED', 'ORDER_CANCELLED']);
export type NotificationKind = z.infer<typeof NotificationKind>;

/** Where a notification stands: written by the handler (PENDING), accepted by the SMTP server (SENT), or refused by it for good (FAILED). */
export const NotificationStatus = z.enum(['PENDING', 'SENT', 'FAILED']);
export type NotificationStatus = z.infer<typeof NotificationStatus>;

/** The channel on which a commit that added a PENDING notification wakes the mail dispatcher. */
export const MAIL_CHANNEL = 'saga_mail';

/**
 * The e-mail's Message-ID, derived from the order and kind only: a copy sent twice (see
 * MailDispatcher) carries the same id, so the receiving system can drop it.
 */
export function notificationMessageId(orderId: string, kind: NotificationKind): string {
  return `<${orderId}.${kind.toLowerCase()}@saga-platform>`;
}
