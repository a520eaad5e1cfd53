import type { Socket } from 'node:net';
import type { ClientConfig } from 'pg';
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import { ackArgument, lsnAfter } from './lsn';
import { OutboxTransactions, type CommittedRows, type OutboxMessage } from './outbox-transactions';

/** Settings of a {@link WalStream}. */
export interface WalStreamOptions {
  /** The service's database, with the relay's application_name and keepalives. */
  readonly connection: ClientConfig;
  readonly slot: string;
  readonly publication: string;
  /** Committed rows waiting to be sent above which the stream is paused (the socket is not read). */
  readonly highWaterRows: number;
}

/**
 * The outbox's changes from a logical replication slot, as committed transactions, with the slot's
 * position confirmed by the relay only:
 *
 * - {@link next} hands out the transactions received so far (whole ones, in commit order);
 *   {@link confirm} tells the server their rows are in Kafka, so it may forget them. Nothing is confirmed
 *   on receipt: a relay that dies before it confirms gets the same transactions again from its slot.
 * - When it has nothing unconfirmed — nothing queued, nothing handed out, no transaction half received —
 *   it confirms the position of the server's keepalive: a publication with nothing to publish on a busy
 *   database does not keep the server's WAL.
 * - Past `highWaterRows` queued, it stops reading the socket until the relay catches up.
 */
export class WalStream {
  private readonly service: LogicalReplicationService;
  private readonly transactions = new OutboxTransactions();
  private readonly queue: CommittedRows[] = [];
  private queuedRows = 0;
  /** Batches handed out by next() and not yet confirmed. */
  private outstanding = 0;
  private confirmed?: string;
  private paused = false;
  private wake?: () => void;
  private failure?: Error;
  private ended = false;
  private startedNow = false;
  /** Resolves when the server started streaming. */
  private readonly started: Promise<void>;
  /** Resolves when the stream ends (the connection closed), rejects with the server's error. */
  readonly done: Promise<void>;

  private constructor(private readonly options: WalStreamOptions) {
    this.service = new LogicalReplicationService(options.connection, {
      acknowledge: { auto: false, timeoutSeconds: 0 },
    });
    this.service.on('data', (_lsn: string, message: OutboxMessage) => this.receive(message));
    this.service.on('heartbeat', (lsn: string, _at: number, reply: boolean) => this.keepalive(lsn, reply));
    this.service.on('error', (error: Error) => this.abort(error));
    this.started = new Promise((resolve) =>
      this.service.once('start', () => {
        this.startedNow = true;
        resolve();
      }),
    );
    const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [options.publication] });
    this.done = this.service.subscribe(plugin, options.slot).then(
      () => this.end(),
      (error: Error) => {
        this.abort(error);
        throw error;
      },
    );
    this.done.catch(() => undefined); // observed through next()
  }

  /** Whether the server has started streaming (the slot is read from here on). */
  get streaming(): boolean {
    return this.startedNow && !this.ended && !this.failure;
  }

  /** Starts streaming the slot from its confirmed position. */
  static open(options: WalStreamOptions): WalStream {
    return new WalStream(options);
  }

  /**
   * The transactions received and not yet handed out, whole, up to about `maxRows` rows (at least one
   * transaction); waits for one when there are none. Undefined once the stream has ended; throws its
   * error if it failed. Each batch is confirmed later, in order, by {@link confirm}.
   */
  async next(maxRows: number): Promise<CommittedRows[] | undefined> {
    while (this.queue.length === 0) {
      if (this.failure) throw this.failure;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const taken: CommittedRows[] = [];
    let rows = 0;
    while (this.queue.length > 0 && (taken.length === 0 || rows + this.queue[0].rows.length <= maxRows)) {
      const transaction = this.queue.shift()!;
      taken.push(transaction);
      rows += transaction.rows.length;
    }
    this.queuedRows -= rows;
    this.outstanding += 1;
    if (this.paused && this.queuedRows < this.options.highWaterRows / 2) this.resume();
    return taken;
  }

  /** The rows up to `lsn` (a commit's end; `batches` batches handed out) are in Kafka: the server may forget them. */
  confirm(lsn: string, batches = 1): void {
    this.outstanding -= batches;
    this.acknowledge(lsn);
  }

  /** Makes {@link next} return undefined (now, or once it is called): the relay is stopping. */
  interrupt(): void {
    this.end();
  }

  /**
   * Ends the replication connection. A connection still being made is let finish (or fail) first: pg
   * never settles a connect that is ended half-way, and the library would start streaming on a client
   * made after it was told to stop.
   */
  async close(): Promise<void> {
    this.end();
    await Promise.race([this.started, this.done.catch(() => undefined)]);
    await this.service.destroy();
    await this.done.catch(() => undefined);
  }

  private receive(message: OutboxMessage): void {
    const committed = this.transactions.accept(message);
    if (!committed) return;
    this.queue.push(committed);
    this.queuedRows += committed.rows.length;
    if (!this.paused && this.queuedRows >= this.options.highWaterRows) this.pause();
    this.signal();
  }

  private keepalive(lsn: string, reply: boolean): void {
    const idle = this.queue.length === 0 && this.outstanding === 0 && !this.transactions.inTransaction;
    if (idle) this.acknowledge(lsn);
    else if (reply && this.confirmed) void this.service.acknowledge(ackArgument(this.confirmed));
  }

  /** Tells the server `lsn` is done, never going back (a keepalive may be behind a confirmed commit). */
  private acknowledge(lsn: string): void {
    if (this.confirmed && !lsnAfter(lsn, this.confirmed)) return;
    this.confirmed = lsn;
    void this.service.acknowledge(ackArgument(lsn));
  }

  /** The replication connection's socket: pg-logical-replication pauses it the same way for its flow control. */
  private socket(): Socket | undefined {
    return (this.service as unknown as { _connection?: { stream?: Socket } })._connection?.stream;
  }

  private pause(): void {
    this.paused = true;
    this.socket()?.pause();
  }

  private resume(): void {
    this.paused = false;
    this.socket()?.resume();
  }

  /** Makes {@link next} throw `error` (now, or once it is called): the server's error, or the relay's. */
  abort(error: Error): void {
    this.failure ??= error;
    this.signal();
  }

  private end(): void {
    this.ended = true;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
