import { trace, type Tracer } from '@opentelemetry/api';
import { type Client, Pool } from 'pg';
import { idempotentProducer, NotifiedLoop } from '@saga/common';
import type { Producer } from 'kafkajs';
import { deletePublished } from './delete-published';
import { OUTBOX_CHANNEL } from './outbox-channel';
import type { OutboxRelayOptions, OutboxRow, RelayLogger, RelayRole } from './outbox-relay.options';
import { publishRows } from './publish-rows';

export * from './outbox-relay.options';
export { sentBatchLine } from './sent-batch-line';

/** A stable advisory-lock key: one leader per database (per service), whatever the instance count. */
const LEADER_LOCK = `hashtext('saga.outbox.relay')`;

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
  private producer?: Producer;
  private lastError?: string;
  private readonly loop: NotifiedLoop;

  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly lockRetryMs: number;
  private readonly retentionMs: number;
  private readonly cleanupIntervalMs: number;
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
    this.logger = options.logger ?? console;
    this.tracer = options.tracer ?? trace.getTracer('@saga/outbox');
    this.loop = new NotifiedLoop({
      channel: OUTBOX_CHANNEL,
      connection: {
        connectionString: options.databaseUrl,
        application_name: `${options.name}-outbox-relay`,
        // A leader whose network to PostgreSQL dies silently must notice, and PostgreSQL must free its
        // lock for a standby, in seconds rather than after the kernel's two-hour keepalive.
        keepAlive: true,
        keepAliveInitialDelayMillis: 5000,
        query_timeout: 30_000,
        options:
          '-c statement_timeout=30000 -c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3',
      },
      retryDelayMs: options.retryDelayMs ?? 1000,
      label: `outbox relay ${options.name}`,
      logger: this.logger,
      round: () => this.round(),
      onError: (message) => (this.lastError = message),
      onListening: () => (this.roleNow = 'standby'),
      onReconnecting: () => {
        if (this.loop.running) this.roleNow = 'connecting';
      },
    });
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
    if (this.loop.running) return;
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
    this.roleNow = 'connecting';
    await this.loop.start();
  }

  /** Finishes the batch in flight, releases the lead (by closing the connection), disconnects. */
  async stop(): Promise<void> {
    if (!this.loop.running) return;
    await this.loop.stop();
    await this.producer?.disconnect();
    await this.markPool?.end();
    this.markPool = undefined;
    this.roleNow = 'stopped';
  }

  /** Connects (listening on the outbox channel), waits for the lead, and relays until stopped. */
  private async round(): Promise<void> {
    const client = await this.loop.connection();
    if (await this.becomeLeader(client)) {
      await this.relayAsLeader(client);
    }
  }

  private async becomeLeader(client: Client): Promise<boolean> {
    while (this.loop.running) {
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(${LEADER_LOCK}) AS locked`,
      );
      if (rows[0].locked) {
        this.roleNow = 'leader';
        this.logger.log(`outbox relay ${this.options.name}: leading`);
        return true;
      }
      await this.loop.pause(this.lockRetryMs);
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
  private async relayAsLeader(client: Client): Promise<void> {
    let nextCleanup = 0;
    let marking: Promise<void> = Promise.resolve();
    let markingIds: string[] = [];
    let next = this.prefetch(client, []);
    try {
      while (this.loop.running) {
        const rows = await next;
        if (Date.now() >= nextCleanup) {
          // On a timer, busy or not: a relay that never runs dry must still clean up.
          await deletePublished(client, { retentionMs: this.retentionMs });
          nextCleanup = Date.now() + this.cleanupIntervalMs;
        }
        if (rows.length === 0) {
          if (this.loop.notified) {
            // A commit came while the last batch went out: read now, skipping the rows being marked.
            next = this.prefetch(client, markingIds);
            continue;
          }
          await marking;
          markingIds = [];
          this.waitingForWork = true;
          await this.loop.pause(this.pollIntervalMs, true);
          this.waitingForWork = false;
          next = this.prefetch(client, []);
          continue;
        }
        const ids = rows.map((row) => row.id);
        // Read ahead only after a full batch (a backlog). A short batch emptied the outbox: a read ahead
        // would come back empty, a round trip for nothing, and the next commit's NOTIFY says when to read.
        next =
          rows.length >= this.batchSize
            ? this.prefetch(client, [...markingIds, ...ids])
            : Promise.resolve([]);
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
  private prefetch(client: Client, excluded: string[]): Promise<OutboxRow[]> {
    const read = this.readBatch(client, excluded);
    read.catch(() => undefined);
    return read;
  }

  /** The next unpublished rows in id order, except those still in flight or being marked. */
  private async readBatch(client: Client, excluded: string[]): Promise<OutboxRow[]> {
    this.loop.notified = false; // a NOTIFY from now on means: read again
    const { rows } = await client.query<OutboxRow>(
      // ORDER BY the column, not the text alias: '1000' sorts before '999' as text.
      `SELECT id::text AS id, topic, record_key, headers, payload,
              (extract(epoch FROM created_at) * 1000)::float8 AS created_ms FROM outbox
        WHERE published_at IS NULL AND NOT (id = ANY($2::bigint[])) ORDER BY outbox.id LIMIT $1`,
      [this.batchSize, excluded],
    );
    return rows;
  }

  private async send(rows: OutboxRow[]): Promise<void> {
    const { name, topicPrefix, observer } = this.options;
    await publishRows(
      { producer: this.producer!, tracer: this.tracer, name, topicPrefix, logger: this.logger, observer },
      rows,
    );
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
}
