import { Client, type ClientConfig } from 'pg';

/** Settings of a {@link NotifiedLoop}. */
export interface NotifiedLoopOptions {
  /** The `LISTEN` channel whose NOTIFY wakes the loop (the writers notify at commit). */
  readonly channel: string;
  /** The listening connection's settings: database URL, application_name, keepalives, timeouts. */
  readonly connection: ClientConfig;
  /** Delay before reconnecting after a failed round or connection. */
  readonly retryDelayMs: number;
  /** Starts each warning line, e.g. `outbox relay order-service`. */
  readonly label: string;
  readonly logger: { warn(message: string): void };
  /** Prepended to every error message reported, e.g. `database: `. */
  readonly errorPrefix?: string;
  /**
   * One round of the worker's job, run again and again while the loop runs. It gets the listening
   * connection from {@link NotifiedLoop.connection} and waits with {@link NotifiedLoop.pause}; a round
   * that throws is reported, the connection is closed, and the next round starts after `retryDelayMs`.
   */
  readonly round: () => Promise<void>;
  /** Told of each error: the connection's, or the round's before reconnecting. */
  readonly onError?: (message: string) => void;
  /** Called once the connection is up and listening. */
  readonly onListening?: () => void;
  /** Called after a failed round's connection is closed, before the retry delay. */
  readonly onReconnecting?: () => void;
}

/**
 * The loop of a worker that drains a table and sleeps until PostgreSQL tells it there is more: the
 * outbox relay and the mail dispatcher. It owns one connection that `LISTEN`s on `channel`, runs the
 * worker's round in a loop, reconnects after a failure, and wakes a {@link pause} at a NOTIFY (or at
 * `stop`). The notification is remembered in {@link notified} until the worker clears it as it starts a
 * read: a NOTIFY that came while it was busy is never lost.
 */
export class NotifiedLoop {
  /** Set by each NOTIFY; the worker clears it when it starts a read (a NOTIFY from then on: read again). */
  notified = false;
  private isRunning = false;
  private loop?: Promise<void>;
  private client?: Client;
  private wake?: () => void;
  private firstAttemptDone?: () => void;

  constructor(private readonly options: NotifiedLoopOptions) {}

  /** Whether the loop runs: rounds check it to end promptly on {@link stop}. */
  get running(): boolean {
    return this.isRunning;
  }

  /** Starts the rounds in the background; resolves once the first connection attempt is over. */
  async start(): Promise<void> {
    if (this.isRunning) return;
    this.isRunning = true;
    const firstAttempt = new Promise<void>((resolve) => (this.firstAttemptDone = resolve));
    this.loop = this.run();
    await firstAttempt;
  }

  /** Wakes any pause, waits for the round in flight to finish, and closes the connection. */
  async stop(): Promise<void> {
    if (!this.isRunning) return;
    this.isRunning = false;
    this.wake?.();
    await this.loop;
  }

  /** The listening connection: the current one, or a new one (connected, listening). */
  async connection(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client(this.options.connection);
    client.on('error', (error) => {
      this.options.onError?.(`${this.options.errorPrefix ?? ''}${error.message}`);
      this.wake?.();
    });
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
    } catch (error) {
      await this.disconnect();
      throw error;
    }
    this.options.onListening?.();
    this.firstAttemptDone?.();
    return client;
  }

  /** Closes the connection, if any; the next {@link connection} opens a new one. */
  async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /**
   * Waits `ms`, or less if stopped, or (when `untilNotified`) until a NOTIFY or a connection error
   * arrives — at once if one came since the worker last cleared {@link notified}.
   */
  pause(ms: number, untilNotified = false): Promise<void> {
    if (!this.isRunning || (untilNotified && this.notified)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = untilNotified ? done : () => (this.isRunning ? undefined : done());
    });
  }

  private async run(): Promise<void> {
    while (this.isRunning) {
      try {
        await this.options.round();
      } catch (error) {
        const message = `${this.options.errorPrefix ?? ''}${error instanceof Error ? error.message : String(error)}`;
        this.options.onError?.(message);
        if (this.isRunning) this.options.logger.warn(`${this.options.label}: ${message}; reconnecting`);
        await this.disconnect();
        this.firstAttemptDone?.();
        this.options.onReconnecting?.();
        await this.pause(this.options.retryDelayMs);
      }
    }
    await this.disconnect();
  }
}
