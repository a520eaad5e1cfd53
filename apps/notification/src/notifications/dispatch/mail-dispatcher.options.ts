import type { MailConfig } from '../../config/mail-config';

/** Where the dispatcher reports; Nest's Logger fits. */
export interface DispatcherLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** Settings of a {@link MailDispatcher}. */
export interface MailDispatcherOptions {
  /** The notification service's database. */
  readonly databaseUrl: string;
  /** SMTP server and sender. */
  readonly mail: MailConfig;
  /** For logs and the connection's application_name, e.g. `notification-service`. */
  readonly name?: string;
  /** Mails sent per round before looking again (default 20), each claimed, sent and recorded on its own. */
  readonly batchSize?: number;
  /** Fallback poll when no NOTIFY arrives (default 2 s); also the first retry delay of a failed mail. */
  readonly pollIntervalMs?: number;
  /** Longest wait before a failed mail is tried again (default 30 s). */
  readonly maxBackoffMs?: number;
  /**
   * How long a claimed mail is the claimer's (default 60 s): longer than any send (the SMTP timeouts), and
   * how long a mail waits when its dispatcher died holding it.
   */
  readonly leaseMs?: number;
  /** Delay before reconnecting after a database error (default 1 s). */
  readonly retryDelayMs?: number;
  readonly logger?: DispatcherLogger;
}

/** What the dispatcher has done since it started; for tests and diagnostics. */
export interface DispatcherStatus {
  /** Mails the SMTP server accepted. */
  readonly sent: number;
  /** Send attempts that failed (each is retried later). */
  readonly failed: number;
  /** The last SMTP or database error seen. */
  readonly lastError?: string;
}
