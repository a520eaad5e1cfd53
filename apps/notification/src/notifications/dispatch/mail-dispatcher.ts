import { Client } from 'pg';
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
 * `batchSize` mails, each in a transaction of its own on the dispatcher's connection: it claims the
 * oldest PENDING row with `FOR UPDATE SKIP LOCKED` (several instances share the work and never send the
 * same row at once), sends it over SMTP and marks it SENT, or records the failure (`attempts`, `last_error`) and
 * leaves it PENDING, to be tried again after a backoff that doubles up to `maxBackoffMs`. Nothing that
 * goes wrong escapes the loop: SMTP errors are recorded, database errors make it reconnect.
 *
 * **The one window for a duplicate**: the SMTP server accepts a mail, and the process or its database
 * connection dies before that mail's transaction commits. The row is still PENDING and is sent again.
 * Every copy carries the same deterministic `Message-ID` (`<orderId.kind@saga-platform>`), so the
 * receiving system can drop the second one. A mail is never lost: it is SENT only after acceptance.
 */
export class MailDispatcher {
  private running = false;
  private loop?: Promise<void>;
  private client?: Client;
  private notified = false;
  private wake?: () => void;
  private firstAttemptDone?: () => void;
  private sent = 0;
  private failed = 0;
  private lastError?: string;
  /** Rows that failed, with the time before which this instance does not try them again. */
  private readonly backoff = new Map<string, number>();
  private readonly transport: Transporter;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly retryDelayMs: number;
  private readonly logger: DispatcherLogger;

  constructor(private readonly options: MailDispatcherOptions) {
    this.batchSize = options.batchSize ?? 20;
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
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
      // A row stays locked while its mail is sent: a hung server must not hold it for long.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  /** Mails sent and failed by this instance, and the last error. */
  status(): DispatcherStatus {
    return { sent: this.sent, failed: this.failed, lastError: this.lastError };
  }

  /** Starts dispatching in the background; resolves once the first connection attempt is over. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const firstAttempt = new Promise<void>((resolve) => (this.firstAttemptDone = resolve));
    this.loop = this.run();
    await firstAttempt;
  }

  /** Finishes the round in flight, then closes the connection and the transport. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    this.transport.close();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        this.client ??= await this.connect();
        const claimed = await this.round(this.client);
        // A full batch means more may be waiting: go again at once.
        if (claimed < this.batchSize) await this.pause(this.pollIntervalMs);
      } catch (error) {
        this.lastError = `database: ${(error as Error).message}`;
        if (this.running) this.logger.warn(`mail dispatcher: ${this.lastError}; reconnecting`);
        await this.disconnect();
        this.firstAttemptDone?.();
        await this.pause(this.retryDelayMs);
      }
    }
    await this.disconnect();
  }

  private async connect(): Promise<Client> {
    const client = new Client({
      connectionString: this.options.databaseUrl,
      application_name: `${this.options.name ?? 'notification'}-mail-dispatcher`,
      keepAlive: true,
    });
    client.on('error', (error) => {
      this.lastError = `database: ${error.message}`;
      this.wake?.();
    });
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${MAIL_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.firstAttemptDone?.();
    return client;
  }

  /** Sends up to `batchSize` mails, one transaction each. Returns how many rows were claimed. */
  private async round(client: Client): Promise<number> {
    this.notified = false; // a NOTIFY from now on means: look again
    const now = Date.now();
    for (const [id, notBefore] of this.backoff) if (notBefore <= now) this.backoff.delete(id);
    let claimed = 0;
    while (this.running && claimed < this.batchSize && (await this.sendNext(client))) claimed += 1;
    return claimed;
  }

  /**
   * Claims the oldest PENDING row (not backing off), sends it and records the outcome, in one
   * transaction: a crash can re-send at most this one mail. Resolves false when there was none.
   */
  private async sendNext(client: Client): Promise<boolean> {
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<PendingRow>(
        `SELECT id, order_id, kind, recipient, subject, body, message_id FROM notifications
          WHERE status = 'PENDING' AND NOT (id = ANY($1::uuid[]))
          ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [[...this.backoff.keys()]],
      );
      if (rows[0]) await this.deliver(client, rows[0]);
      await client.query('COMMIT');
      return rows.length > 0;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Sends one mail and records the outcome in the claiming transaction; only database errors throw. */
  private async deliver(client: Client, row: PendingRow): Promise<void> {
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
      if (isPermanent(error)) {
        // The server refused this mail for good (say, no such mailbox): retrying cannot help. FAILED
        // rows show in GET /notifications, and `npm run audit` reports them.
        await client.query(
          `UPDATE notifications SET status = 'FAILED', attempts = attempts + 1, last_error = $2 WHERE id = $1`,
          [row.id, message],
        );
        this.failed += 1;
        this.lastError = `smtp: ${message}`;
        this.logger.warn(`mail dispatcher: ${row.message_id} refused for good: ${message}`);
        return;
      }
      const { rows } = await client.query<{ attempts: number }>(
        'UPDATE notifications SET attempts = attempts + 1, last_error = $2 WHERE id = $1 RETURNING attempts',
        [row.id, message],
      );
      const delay = Math.min(this.pollIntervalMs * 2 ** (rows[0].attempts - 1), this.maxBackoffMs);
      this.backoff.set(row.id, Date.now() + delay);
      this.failed += 1;
      this.lastError = `smtp: ${message}`;
      this.logger.warn(`mail dispatcher: ${row.message_id} not sent (${message}); retry in ${delay} ms`);
      return;
    }
    await client.query(
      `UPDATE notifications SET status = 'SENT', sent_at = clock_timestamp(), attempts = attempts + 1
        WHERE id = $1`,
      [row.id],
    );
    this.sent += 1;
  }

  /** Waits `ms`, or less if stopped or a NOTIFY arrives (also one that came during the last round). */
  private pause(ms: number): Promise<void> {
    if (!this.running || this.notified) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

/** An SMTP 5xx reply: the server refuses the mail for good (4xx and network errors are worth a retry). */
function isPermanent(error: unknown): boolean {
  const code = (error as { responseCode?: number }).responseCode;
  return code !== undefined && code >= 500 && code < 600;
}
