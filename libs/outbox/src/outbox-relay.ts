import { trace, type Tracer } from '@opentelemetry/api';
import { Client, Pool } from 'pg';
import { idempotentProducer } from '@saga/common';
import { type Kafka, type Producer, type RecordMetadata } from 'kafkajs';
import { deletePublished } from './delete-published';
import { OUTBOX_CHANNEL } from './outbox-channel';
import { endPublishSpans, startPublishSpan } from './publish-span';
import { topicMessages } from './topic-messages';

/** Where the relay reports; Nest's Logger fits. */
export interface RelayLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Each batch sent, with the broker's answers (when the service logs at `debug`). */
  debug?(message: string): void;
}

/** Told of each row the relay published: the service's metrics. */
export interface RelayObserver {
  /** A row of `topic` was acknowledged by the broker `latencySeconds` after its transaction wrote it. */
  published(topic: string, latencySeconds: number): void;
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
  /**
   * How long published rows are kept (marked `published_at`) before cleanup deletes them. The default,
   * 0, deletes a row as soon as it is published: Kafka holds the history, and a delete is far cheaper
   * than rewriting the row (docs/adr/0006). Keep them (say 24 h) to inspect the outbox by SQL.
   */
  readonly retentionMs?: number;
  /** How often the leader deletes expired rows (default 60 s). */
  readonly cleanupIntervalMs?: number;
  /** Delay before reconnecting after a database or Kafka error (default 1 s). */
  readonly retryDelayMs?: number;
  readonly logger?: RelayLogger;
  /**
   * Prepended to every row's topic when sending (`KAFKA_TOPIC_PREFIX`): one broker can host several
   * isolated copies of the platform, e.g. one per end-to-end test. Rows store the logical topic name.
   */
  readonly topicPrefix?: string;
  /**
   * Makes a producer span per row, the child of the span that wrote it (default: the global tracer
   * provider's tracer, a no-op unless the process registered one).
   */
  readonly tracer?: Tracer;
  readonly observer?: RelayObserver;
  /** Fault injection for tests: runs after a batch is sent and before it is marked published. */
  readonly afterSend?: (ids: readonly string[]) => Promise<void> | void;
}

/** What an instance of the relay is doing. */
export type RelayRole = 'stopped' | 'connecting' | 'standby' | 'leader';

/** A stable advisory-lock key: one leader per database (per service), whatever the instance count. */
const LEADER_LOCK = `hashtext('saga.outbox.relay')`;

export interface OutboxRow {
  id: string;
  topic: string;
  record_key: string;
  headers: Record<string, string>;
  payload: string;
  /** When the row's transaction wrote it (ms since the epoch). */
  created_ms: number;
}

/**
 * Publishes outbox rows to Kafka in id order and marks them published.
 *
 * - **One leader per service**, elected by a session advisory lock held on the relay's own connection.
 *   Every instance runs a relay; the others stand by and retry the lock every `lockRetryMs`. When the
 *   leader dies its connection closes, PostgreSQL releases the lock, and a standby takes over.
 * - **Fenced by that connection**: rows are read over the very connection that holds the lock, so an
 *   instance that lost its connection (and with it the lead) reads nothing more; a batch it had read
 *   before may still go out, duplicating rows the new leader also sends, in the same order.
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
  private markPool?: Pool;
  private waitingForWork = false;
  private readonly tracer: Tracer;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.lockRetryMs = options.lockRetryMs ?? 250;
    this.retentionMs = options.retentionMs ?? 0;
    this.cleanupIntervalMs = options.cleanupIntervalMs ?? 60_000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.logger = options.logger ?? console;
    this.tracer = options.tracer ?? trace.getTracer('@saga/outbox');
  }

  /**
   * The current role, rows published by this instance, the last error seen, and whether the leader is
   * idle, waiting for a NOTIFY (or its poll) because the outbox was empty at its last read.
   */
  status(): { role: RelayRole; published: number; lastError?: string; idle: boolean } {
    return {
      role: this.roleNow,
      published: this.published,
      lastError: this.lastError,
      idle: this.waitingForWork,
    };
  }

  /**
   * Connects the producer and starts relaying (as leader or standby) in the background. Resolves once
   * the relay's database connection is up (or its first attempt failed; it keeps retrying).
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.producer = idempotentProducer(this.options.kafka);
    await this.producer.connect();
    this.markPool = new Pool({
      connectionString: this.options.databaseUrl,
      max: 1,
      application_name: `${this.options.name}-outbox-marker`,
      keepAlive: true,
      // A mark lost in a crash only means a re-send (a duplicate the inbox absorbs), so marks need not
      // wait for the WAL flush: that wait was most of the relay's time per batch.
      options: '-c synchronous_commit=off -c statement_timeout=30000',
    });
    this.markPool.on('error', () => undefined); // an idle connection's error: the next query reconnects
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
    await this.markPool?.end();
    this.markPool = undefined;
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
      // A leader whose network to PostgreSQL dies silently must notice, and PostgreSQL must free its
      // lock for a standby, in seconds rather than after the kernel's two-hour keepalive.
      keepAlive: true,
      keepAliveInitialDelayMillis: 5000,
      query_timeout: 30_000,
      options:
        '-c statement_timeout=30000 -c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3',
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

  /**
   * The leader's loop, pipelined: while a full batch N is being sent, batch N+1 is already read (skipping
   * the rows in flight), and batch N-1 is marked on a separate connection; after a short batch it reads
   * again only when a NOTIFY came. Sends stay strictly one after the other, in id order, so per-key order holds: one key's rows become visible in id order (their
   * writers serialise on the aggregate), and a row is never read while an earlier one of its key is
   * still unsent. Reading stays on the lock connection: only the leader can read and send.
   */
  private async relayAsLeader(): Promise<void> {
    let nextCleanup = 0;
    let marking: Promise<void> = Promise.resolve();
    let markingIds: string[] = [];
    let next = this.prefetch([]);
    try {
      while (this.running) {
        const rows = await next;
        if (Date.now() >= nextCleanup) {
          // On a timer, busy or not: a relay that never runs dry must still clean up.
          await deletePublished(this.client!, { retentionMs: this.retentionMs });
          nextCleanup = Date.now() + this.cleanupIntervalMs;
        }
        if (rows.length === 0) {
          if (this.notified) {
            // A commit came while the last batch went out: read now, skipping the rows being marked.
            next = this.prefetch(markingIds);
            continue;
          }
          await marking;
          markingIds = [];
          this.waitingForWork = true;
          await this.pause(this.pollIntervalMs, true);
          this.waitingForWork = false;
          next = this.prefetch([]);
          continue;
        }
        const ids = rows.map((row) => row.id);
        // Read ahead only after a full batch (a backlog). A short batch emptied the outbox: a read ahead
        // would come back empty, a round trip for nothing, and the next commit's NOTIFY says when to read.
        next = rows.length >= this.batchSize ? this.prefetch([...markingIds, ...ids]) : Promise.resolve([]);
        await this.send(rows);
        await this.options.afterSend?.(ids);
        await marking; // a failed mark throws here: the lead is dropped and taken again afresh
        markingIds = ids;
        marking = this.mark(ids);
        marking.catch(() => undefined); // awaited above on the next round, or below
        this.published += rows.length;
      }
    } finally {
      this.waitingForWork = false;
      await marking.catch(() => undefined);
    }
  }

  /**
   * Starts reading the next batch now; it is awaited on the next round. If the loop ends first (stop,
   * lost connection), its failure must not surface as an unhandled rejection.
   */
  private prefetch(excluded: string[]): Promise<OutboxRow[]> {
    const read = this.readBatch(excluded);
    read.catch(() => undefined);
    return read;
  }

  /** The next unpublished rows in id order, except those still in flight or being marked. */
  private async readBatch(excluded: string[]): Promise<OutboxRow[]> {
    this.notified = false; // a NOTIFY from now on means: read again
    const { rows } = await this.client!.query<OutboxRow>(
      // ORDER BY the column, not the text alias: '1000' sorts before '999' as text.
      `SELECT id::text AS id, topic, record_key, headers, payload,
              (extract(epoch FROM created_at) * 1000)::float8 AS created_ms FROM outbox
        WHERE published_at IS NULL AND NOT (id = ANY($2::bigint[])) ORDER BY outbox.id LIMIT $1`,
      [this.batchSize, excluded],
    );
    return rows;
  }

  private async send(rows: OutboxRow[]): Promise<void> {
    const prefix = this.options.topicPrefix ?? '';
    const published = rows.map((row) => startPublishSpan(this.tracer, row, `${prefix}${row.topic}`));
    const spans = published.map(({ span }) => span);
    const records = rows.map((row, i) => ({
      topic: row.topic,
      message: { key: row.record_key, value: row.payload, headers: published[i].headers },
    }));
    let answers: RecordMetadata[];
    try {
      answers = await this.producer!.sendBatch({ acks: -1, topicMessages: topicMessages(records, prefix) });
    } catch (error) {
      endPublishSpans(spans, error);
      throw error;
    }
    endPublishSpans(spans);
    this.logger.debug?.(sentBatchLine(this.options.name, rows, answers));
    const now = Date.now();
    for (const row of rows)
      this.options.observer?.published(row.topic, Math.max(0, now - row.created_ms) / 1000);
  }

  /**
   * Marks sent rows published (or deletes them), on the marking pool so the next send need not wait.
   * If it fails, the relay gives up the lead and starts over: the rows stay unpublished and are sent
   * again — a duplicate, which consumers absorb — instead of being re-sent by a leader that cannot mark.
   */
  private async mark(ids: string[]): Promise<void> {
    // With no retention a published row is deleted at once: far cheaper than rewriting it (bench:relay).
    const sql =
      this.retentionMs === 0
        ? 'DELETE FROM outbox WHERE id = ANY($1::bigint[])'
        : 'UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])';
    try {
      await this.markPool!.query(sql, [ids]);
    } catch (error) {
      throw new Error(`marking ${ids.length} published rows failed: ${(error as Error).message}`);
    }
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

/**
 * One batch as sent, for a debug log: each row's event id, type and key in send order, and the offset
 * at which each partition's first message of the batch landed. A partition's messages follow its first
 * in send order, so a post-mortem can tell where any event of the batch sits in the log.
 */
export function sentBatchLine(name: string, rows: readonly OutboxRow[], answers: RecordMetadata[]): string {
  const events = rows.map((row) => `${row.headers.ce_id} ${row.headers.ce_type} ${row.record_key}`);
  const offsets = answers.map((answer) => `${answer.topicName}/${answer.partition}@${answer.baseOffset}`);
  return `outbox relay ${name}: sent ${rows.length} [${events.join(', ')}] answered [${offsets.join(', ')}]`;
}
