import { NotifiedLoop } from '@saga/common';
import { createTransport, type Transporter } from 'nodemailer';
import { MAIL_CHANNEL } from '../notification-kind';
import type { DispatcherLogger, DispatcherStatus, MailDispatcherOptions } from './mail-dispatcher.options';

interface PendingRow {
  id: string;
  order_id: string;
  kind: string;
  recipient: string;
  subject: string;
  body: string;
  message_id: string;
}

/**
 * Sends the PENDING notifications, like an outbox relay for e-mail. It `LISTEN`s on `saga_mail` (the
 * handler notifies at commit) and polls every `pollIntervalMs` as a fallback. Each round sends up to
 * `batchSize` mails, one at a time:
 *
 * 1. **claim** the oldest PENDING row whose lease is free, by setting its lease (`claimed_until`, now +
 *    `leaseMs`) in one committed statement (`FOR UPDATE SKIP LOCKED`: instances never claim one row twice);
 * 2. **send** it over SMTP (the SMTP timeouts add up to less than the lease);
 * 3. **record** the outcome: SENT; FAILED on a 5xx (refused for good); or attempts + `last_error`, with
 *    the lease extended as the backoff before the next try (doubling up to `maxBackoffMs`). If the
 *    database connection is gone by then, the outcome is recorded on a new one, for as long as the lease
 *    lasts: a cut connection does not make an accepted mail go out again.
 *
 * **The windows for a duplicate**: the SMTP server accepts a mail and the process dies before step 3, or
 * the database stays unreachable until the lease runs out, or the reply to the SMTP `DATA` is lost. The
 * lease expires and the mail is sent again — with the same deterministic `Message-ID`
 * (`<orderId.kind@saga-platform>`), so the receiving system can drop the copy. A mail is never lost: it is
 * SENT only after acceptance. A claimed mail whose dispatcher died waits for its lease to expire.
 */
export class MailDispatcher {
  private readonly loop: NotifiedLoop;
  private sent = 0;
  private failed = 0;
  private lastError?: string;
  private readonly transport: Transporter;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly retryDelayMs: number;
  private readonly leaseMs: number;
  private readonly logger: DispatcherLogger;

  constructor(private readonly options: MailDispatcherOptions) {
    this.batchSize = options.batchSize ?? 20;
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.logger = options.logger ?? console;
    const { smtpHost, smtpPort, smtpSecure } = options.mail;
    this.transport = createTransport({
      host: smtpHost,
      port: smtpPort,
      secure: smtpSecure,
      ignoreTLS: !smtpSecure,
      // One SMTP connection kept open and reused: a new connection (greeting, EHLO) per mail capped the
      // dispatcher at about 10 mails/s, below what the saga produces under demo traffic.
      pool: true,
      maxConnections: 1,
      // Together well under the claim's lease: a send that hangs gives up before another instance may
      // take the mail.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    this.loop = new NotifiedLoop({
      channel: MAIL_CHANNEL,
      connection: {
        connectionString: options.databaseUrl,
        application_name: `${options.name ?? 'notification'}-mail-dispatcher`,
        keepAlive: true,
      },
      retryDelayMs: this.retryDelayMs,
      label: 'mail dispatcher',
      logger: this.logger,
      errorPrefix: 'database: ',
      round: async () => {
        const claimed = await this.round();
        // A full batch means more may be waiting: go again at once.
        if (claimed < this.batchSize) await this.loop.pause(this.pollIntervalMs, true);
      },
      onError: (message) => (this.lastError = message),
    });
  }

  /** Mails sent and failed by this instance, and the last error. */
  status(): DispatcherStatus {
    return { sent: this.sent, failed: this.failed, lastError: this.lastError };
  }

  /** Starts dispatching in the background; resolves once the first connection attempt is over. */
  async start(): Promise<void> {
    await this.loop.start();
  }

  /** Finishes the round in flight, then closes the connection and the transport. */
  async stop(): Promise<void> {
    if (!this.loop.running) return;
    await this.loop.stop();
    this.transport.close();
  }

  /** Sends up to `batchSize` mails, one at a time. Returns how many rows were claimed. */
  private async round(): Promise<number> {
    this.loop.notified = false; // a NOTIFY from now on means: look again
    let claimed = 0;
    while (this.loop.running && claimed < this.batchSize && (await this.sendNext())) claimed += 1;
    return claimed;
  }

  /** Claims the oldest PENDING row whose lease is free, sends it, records the outcome. False: none. */
  private async sendNext(): Promise<boolean> {
    // Recording the last outcome may have replaced a lost connection: always the current one.
    const client = await this.loop.connection();
    const { rows } = await client.query<PendingRow>(
      `UPDATE notifications SET claimed_until = clock_timestamp() + $1 * interval '1 millisecond'
        WHERE id = (SELECT id FROM notifications
                     WHERE status = 'PENDING' AND (claimed_until IS NULL OR claimed_until < clock_timestamp())
                     ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, order_id, kind, recipient, subject, body, message_id`,
      [this.leaseMs],
    );
    if (!rows[0]) return false;
    const claimedAt = Date.now();
    const outcome = await this.deliver(rows[0]);
    await this.record(outcome, claimedAt + this.leaseMs);
    return true;
  }

  /** Sends one mail; resolves to the SQL that records the outcome (never throws). */
  private async deliver(row: PendingRow): Promise<{ sql: string; params: unknown[] }> {
    try {
      await this.transport.sendMail({
        from: this.options.mail.mailFrom,
        // An address object, not a string nodemailer would parse (and could split into several).
        to: { name: '', address: row.recipient },
        subject: row.subject,
        text: row.body,
        messageId: row.message_id,
        headers: { 'X-Saga-Order-Id': row.order_id, 'X-Saga-Notification-Kind': row.kind },
      });
    } catch (error) {
      const message = (error as Error).message.slice(0, 1000);
      this.failed += 1;
      this.lastError = `smtp: ${message}`;
      if (isPermanent(error)) {
        // The server refused this mail for good (say, no such mailbox): retrying cannot help. FAILED
        // rows show in GET /notifications, and `npm run audit` reports them.
        this.logger.warn(`mail dispatcher: ${row.message_id} refused for good: ${message}`);
        return {
          sql: `UPDATE notifications SET status = 'FAILED', attempts = attempts + 1, last_error = $2,
                 claimed_until = NULL WHERE id = $1`,
          params: [row.id, message],
        };
      }
      this.logger.warn(`mail dispatcher: ${row.message_id} not sent (${message}); will retry`);
      // The lease becomes the backoff: no instance tries it again before it runs out.
      return {
        sql: `UPDATE notifications SET attempts = attempts + 1, last_error = $2,
               claimed_until = clock_timestamp() + least($3 * power(2, attempts), $4) * interval '1 millisecond'
               WHERE id = $1`,
        params: [row.id, message, this.pollIntervalMs, this.maxBackoffMs],
      };
    }
    this.sent += 1;
    return {
      sql: `UPDATE notifications SET status = 'SENT', sent_at = clock_timestamp(), attempts = attempts + 1,
             claimed_until = NULL WHERE id = $1`,
      params: [row.id],
    };
  }

  /**
   * Records a send's outcome; when the connection is gone, on a new one, until `deadline` (the end of
   * the lease: after it, another instance may send the mail again anyway). Throws past the deadline.
   */
  private async record(outcome: { sql: string; params: unknown[] }, deadline: number): Promise<void> {
    for (;;) {
      try {
        const client = await this.loop.connection();
        await client.query(outcome.sql, outcome.params);
        return;
      } catch (error) {
        await this.loop.disconnect();
        if (Date.now() + this.retryDelayMs >= deadline) throw error;
        this.lastError = `database: ${(error as Error).message}`;
        this.logger.warn(`mail dispatcher: recording a sent mail failed (${this.lastError}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
      }
    }
  }
}

/** An SMTP 5xx reply: the server refuses the mail for good (4xx and network errors are worth a retry). */
function isPermanent(error: unknown): boolean {
  const code = (error as { responseCode?: number }).responseCode;
  return code !== undefined && code >= 500 && code < 600;
}
