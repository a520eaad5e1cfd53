import { Client } from 'pg';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { deletePublished } from './delete-published';
import { OUTBOX_CHANNEL } from './outbox-channel';

/** Where the relay reports; Nest's Logger fits. */
export interface RelayLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Settings of an {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  /** The service's database (the one holding its outbox table). */
  readonly databaseUrl: string;
  /** A kafkajs client; the relay makes its own idempotent producer from it. */
  readonly kafka: Kafka;
  /** For logs and the connection's application_name, e.g. `order-service`. */
  readonly name: string;
  /** Rows read and published per round (default 500). */
  readonly batchSize?: number;
  /** Fallback poll when no NOTIFY arrives (default 5 s); the hot path never waits for it. */
  readonly pollIntervalMs?: number;
  /** How often a standby instance tries to take the lead (default 250 ms): the takeover delay. */
  readonly lockRetryMs?: number;
  /** Published rows are kept this long, then deleted (default 24 h). */
  readonly retentionMs?: number;
  /** How often the leader deletes expired rows (default 60 s). */
  readonly cleanupIntervalMs?: number;
  /** Delay before reconnecting after a database or Kafka error (default 1 s). */
  readonly retryDelayMs?: number;
  readonly logger?: RelayLogger;
  /** Fault injection for tests: runs after a batch is sent and before it is marked published. */
  readonly afterSend?: (ids: readonly string[]) => Promise<void> | void;
}

/** What an instance of the relay is doing. */
export type RelayRole = 'stopped' | 'connecting' | 'standby' | 'leader';

/** A stable advisory-lock key: one leader per database (per service), whatever the instance count. */
const LEADER_LOCK = `hashtext('saga.outbox.relay')`;

interface OutboxRow {
  id: string;
  topic: string;
  record_key: string;
  headers: Record<string, string>;
  payload: string;
}

/**
 * Publishes outbox rows to Kafka in id order and marks them published.
 *
 * - **One leader per service**, elected by a session advisory lock held on the relay's own connection.
 *   Every instance runs a relay; the others stand by and retry the lock every `lockRetryMs`. When the
 *   leader dies its connection closes, PostgreSQL releases the lock, and a standby takes over.
 * - **Fenced by that connection**: rows are read and marked over the very connection that holds the
 *   lock, so an instance that lost its connection (and with it the lead) cannot mark anything.
 * - **Per-key order**: one publisher, rows in id order, an idempotent producer with one request in
 *   flight. A crash between send and mark re-sends rows (at-least-once); consumers dedupe by `ce_id`.
 * - **No poll on the hot path**: `LISTEN saga_outbox`; {@link addToOutbox} notifies at commit.
 */
export class OutboxRelay {
  private roleNow: RelayRole = 'stopped';
  private published = 0;
  private client?: Client;
  private producer?: Producer;
  private running = false;
  private loop?: Promise<void>;
  private notified = false;
  private wake?: () => void;
  private lastError?: string;
  private firstAttemptDone?: () => void;

  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly lockRetryMs: number;
  private readonly retentionMs: number;
  private readonly cleanupIntervalMs: number;
  private readonly retryDelayMs: number;
  private readonly logger: RelayLogger;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.lockRetryMs = options.lockRetryMs ?? 250;
    this.retentionMs = options.retentionMs ?? 24 * 3600_000;
    this.cleanupIntervalMs = options.cleanupIntervalMs ?? 60_000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.logger = options.logger ?? console;
  }

  /** The current role, rows published by this instance, and the last error seen. */
  status(): { role: RelayRole; published: number; lastError?: string } {
    return { role: this.roleNow, published: this.published, lastError: this.lastError };
  }

  /**
   * Connects the producer and starts relaying (as leader or standby) in the background. Resolves once
   * the relay's database connection is up (or its first attempt failed; it keeps retrying).
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.producer = this.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.producer.connect();
    this.running = true;
    this.roleNow = 'connecting';
    const firstAttempt = new Promise<void>((resolve) => (this.firstAttemptDone = resolve));
    this.loop = this.run();
    await firstAttempt;
  }

  /** Finishes the batch in flight, releases the lead (by closing the connection), disconnects. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.producer?.disconnect();
    this.roleNow = 'stopped';
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.connect();
        if (await this.becomeLeader()) {
          await this.relayAsLeader();
        }
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        if (this.running) {
          this.logger.warn(`outbox relay ${this.options.name}: ${this.lastError}; reconnecting`);
        }
        await this.disconnect();
        this.firstAttemptDone?.();
        if (this.running) this.roleNow = 'connecting';
        await this.pause(this.retryDelayMs);
      }
    }
    await this.disconnect();
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.options.databaseUrl,
      application_name: `${this.options.name}-outbox-relay`,
    });
    client.on('error', (error) => {
      this.lastError = error.message;
      this.wake?.();
    });
    client.on('notification', () => this.signal());
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.roleNow = 'standby';
    this.firstAttemptDone?.();
  }

  private async becomeLeader(): Promise<boolean> {
    while (this.running) {
      const { rows } = await this.client!.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(${LEADER_LOCK}) AS locked`,
      );
      if (rows[0].locked) {
        this.roleNow = 'leader';
        this.logger.log(`outbox relay ${this.options.name}: leading`);
        return true;
      }
      await this.pause(this.lockRetryMs);
    }
    return false;
  }

  private async relayAsLeader(): Promise<void> {
    let nextCleanup = 0;
    while (this.running) {
      this.notified = false;
      const published = await this.publishBatch();
      if (Date.now() >= nextCleanup) {
        await deletePublished(this.client!, { retentionMs: this.retentionMs });
        nextCleanup = Date.now() + this.cleanupIntervalMs;
      }
      if (published < this.batchSize) {
        await this.pause(this.pollIntervalMs, true);
      }
    }
  }

  /** Publishes the next batch in id order and marks it, over the lock-holding connection. */
  private async publishBatch(): Promise<number> {
    const client = this.client!;
    const { rows } = await client.query<OutboxRow>(
      // ORDER BY the column, not the text alias: '1000' sorts before '999' as text.
      `SELECT id::text AS id, topic, record_key, headers, payload FROM outbox
        WHERE published_at IS NULL ORDER BY outbox.id LIMIT $1`,
      [this.batchSize],
    );
    if (rows.length === 0) return 0;
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const messages = byTopic.get(row.topic) ?? [];
      messages.push({ key: row.record_key, value: row.payload, headers: row.headers });
      byTopic.set(row.topic, messages);
    }
    await this.producer!.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    const ids = rows.map((row) => row.id);
    await this.options.afterSend?.(ids);
    await client.query('UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])', [
      ids,
    ]);
    this.published += rows.length;
    return rows.length;
  }

  private signal(): void {
    this.notified = true;
    this.wake?.();
  }

  /** Waits `ms`, or less if stopped, or (when `untilNotified`) until a NOTIFY arrives. */
  private pause(ms: number, untilNotified = false): Promise<void> {
    if (!this.running || (untilNotified && this.notified)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = untilNotified ? done : () => (this.running ? undefined : done());
    });
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
