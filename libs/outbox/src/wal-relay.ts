import { trace, type Tracer } from '@opentelemetry/api';
import { Client, Pool, type ClientConfig } from 'pg';
import type { Producer } from 'kafkajs';
import { idempotentProducer } from '@saga/common';
import type { OutboxRelayOptions, OutboxRow, RelayLogger, RelayRole } from './outbox-relay.options';
import { publishRows, type RowPublisher } from './publish-rows';
import {
  OUTBOX_PUBLICATION,
  ensurePublication,
  ensureSlot,
  outboxSlotName,
  slotLag,
  type SlotLag,
} from './wal/replication-slot';
import { SentRowsMarker } from './wal/sent-rows-marker';
import { WalStream } from './wal/wal-stream';

/** Settings of a {@link WalOutboxRelay}: those of the polling relay, and the slot's name. */
export interface WalRelayOptions extends OutboxRelayOptions {
  /** The replication slot (default `saga_outbox_<database>`). */
  readonly slotName?: string;
}

/**
 * How long a sent batch waits for later ones to share its DELETE and confirmation: it delays only the
 * bookkeeping, never a send, and at a few events a second it saves a statement for most of them.
 */
const MARK_DELAY_MS = 50;

/** One leader per database, as for the polling relay, on a key of its own. */
const LEADER_LOCK = `hashtext('saga.outbox.wal-relay')`;

/**
 * Publishes the outbox by reading the database's write-ahead log (`OUTBOX_RELAY=wal`): a logical
 * replication slot with the built-in `pgoutput` plugin streams each committed transaction's outbox
 * inserts, in commit order (docs/adr/0016).
 *
 * - **Per-key order is commit order**, without the writers' per-key lock: transactions arrive whole and
 *   in commit order, and one leader sends them one batch after the other.
 * - **At-least-once.** A batch's rows are deleted from the table and the slot's position confirmed only
 *   after Kafka acknowledged them (acks=all). A relay that dies before it confirms gets them again.
 * - **Nothing lost with the slot.** A row is either still in the table or in Kafka. When the slot is new
 *   — never made, dropped, or invalidated by `max_slot_wal_keep_size` — the leader publishes the table's
 *   rows before it streams: the slot only has what committed after it was made.
 * - **One reader.** Every instance runs one; a session advisory lock elects the leader, the others stand
 *   by and take over within `lockRetryMs` of its connection closing.
 */
export class WalOutboxRelay {
  readonly slot: string;
  private roleNow: RelayRole = 'stopped';
  private published = 0;
  private lastError?: string;
  private producer?: Producer;
  private pool?: Pool;
  private running = false;
  private loop?: Promise<void>;
  private stream?: WalStream;
  private wake?: () => void;
  private waitingForWork = false;
  private readonly logger: RelayLogger;
  private readonly tracer: Tracer;

  constructor(private readonly options: WalRelayOptions) {
    this.slot = options.slotName ?? outboxSlotName(options.databaseUrl);
    this.logger = options.logger ?? console;
    this.tracer = options.tracer ?? trace.getTracer('@saga/outbox');
  }

  /** As the polling relay's: role, rows published here, the last error, and whether it waits for work (streaming). */
  status(): { role: RelayRole; published: number; lastError?: string; idle: boolean } {
    return {
      role: this.roleNow,
      published: this.published,
      lastError: this.lastError,
      idle: this.waitingForWork && this.stream?.streaming === true,
    };
  }

  /** The slot's lag and retained WAL, or undefined when it does not exist (yet). */
  async lag(): Promise<SlotLag | undefined> {
    if (!this.pool) return undefined;
    return slotLag(this.pool, this.slot);
  }

  /** Connects the producer and starts relaying (as leader or standby) in the background. */
  async start(): Promise<void> {
    if (this.running) return;
    this.producer = idempotentProducer(this.options.kafka);
    await this.producer.connect();
    this.pool = new Pool({ ...this.connection('outbox-deleter'), max: 1 });
    this.pool.on('error', () => undefined); // an idle connection's error: the next query reconnects
    this.running = true;
    this.roleNow = 'connecting';
    this.loop = this.run();
  }

  /** Ends the stream after the batch in flight, releases the lead, disconnects. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    this.stream?.interrupt(); // the stream's loop then confirms what it sent, and closes it
    await this.loop;
    await this.producer?.disconnect();
    await this.pool?.end();
    this.pool = undefined;
    this.roleNow = 'stopped';
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.term();
      } catch (error) {
        if (!this.running) break;
        this.lastError = (error as Error).message;
        this.logger.warn(`outbox relay ${this.options.name} (wal): ${this.lastError}; retrying`);
      }
      if (this.running) {
        this.roleNow = 'connecting';
        await this.pause(this.options.retryDelayMs ?? 1000);
      }
    }
  }

  /** One leader term: the lock, the slot, the table if the slot is new, then the stream until it ends. */
  private async term(): Promise<void> {
    const client = new Client(this.connection('outbox-wal-relay'));
    client.on('error', (error) => (this.lastError = error.message));
    await client.connect();
    try {
      this.roleNow = 'standby';
      if (!(await this.becomeLeader(client))) return;
      await ensurePublication(client);
      const state = await ensureSlot(client, this.slot);
      if (state !== 'existing') {
        this.logger.warn(
          `outbox relay ${this.options.name} (wal): slot ${this.slot} ${state}; publishing the outbox table first`,
        );
        await this.publishTable(client);
      }
      await this.relayStream();
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async becomeLeader(client: Client): Promise<boolean> {
    while (this.running) {
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(${LEADER_LOCK}) AS locked`,
      );
      if (rows[0].locked) {
        this.roleNow = 'leader';
        this.logger.log(`outbox relay ${this.options.name}: leading (wal, slot ${this.slot})`);
        return true;
      }
      await this.pause(this.options.lockRetryMs ?? 250);
    }
    return false;
  }

  /**
   * Publishes every row the table holds, in id order, and deletes it: after a new slot, these are the
   * rows no slot will stream. Rows committed after the slot was made are streamed too (duplicates, which
   * the consumers' inbox absorbs); one key's rows are in id order, as its writers serialise on the aggregate.
   */
  private async publishTable(client: Client): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    const { rows: top } = await client.query<{ max: string | null }>(
      'SELECT max(id)::text AS max FROM outbox',
    );
    let after = '0';
    while (this.running && top[0].max !== null) {
      const { rows } = await client.query<OutboxRow>(
        `SELECT id::text AS id, topic, record_key, headers, payload,
                (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
           FROM outbox WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3`,
        [after, top[0].max, batchSize],
      );
      if (rows.length === 0) return;
      await this.publishAndDelete(rows);
      after = rows[rows.length - 1].id;
    }
  }

  /** Streams the slot: each batch of whole transactions sent, deleted, then confirmed. */
  private async relayStream(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    const stream = WalStream.open({
      connection: this.connection('outbox-wal-stream'),
      slot: this.slot,
      publication: OUTBOX_PUBLICATION,
      highWaterRows: batchSize * 20,
    });
    this.stream = stream;
    const marker = new SentRowsMarker({
      delete: (ids) => this.deleteRows(ids),
      confirm: (lsn, batches) => stream.confirm(lsn, batches),
      delayMs: MARK_DELAY_MS,
      maxPendingRows: batchSize * 10,
      // The stream ends at once: a server shutting down waits for this connection to confirm or close.
      onFailure: (error) => stream.abort(error),
    });
    try {
      while (this.running) {
        this.waitingForWork = true;
        const transactions = await stream.next(batchSize);
        this.waitingForWork = false;
        if (!transactions) {
          if (this.running) throw new Error('the replication stream ended');
          return;
        }
        const rows = transactions.flatMap((transaction) => transaction.rows);
        for (let i = 0; i < rows.length; i += batchSize) await this.publish(rows.slice(i, i + batchSize));
        await marker.add(
          rows.map((row) => row.id),
          transactions[transactions.length - 1].endLsn,
        );
      }
    } finally {
      this.waitingForWork = false;
      this.stream = undefined;
      await marker.flush().catch(() => undefined); // what is not confirmed is streamed again
      await stream.close();
    }
  }

  /** Sends the rows (acks=all), then deletes them: from here on Kafka holds them. */
  private async publishAndDelete(rows: OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.publish(rows);
    await this.deleteRows(rows.map((row) => row.id));
  }

  /** Sends the rows (acks=all); the test hook `afterSend` runs once Kafka has them. */
  private async publish(rows: OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    const { name, topicPrefix, observer } = this.options;
    const publisher: RowPublisher = {
      producer: this.producer!,
      tracer: this.tracer,
      name,
      topicPrefix,
      logger: this.logger,
      observer,
    };
    await publishRows(publisher, rows);
    this.published += rows.length;
    await this.options.afterSend?.(rows.map((row) => row.id));
  }

  private async deleteRows(ids: string[]): Promise<void> {
    await this.pool!.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
  }

  private connection(role: string): ClientConfig {
    return {
      connectionString: this.options.databaseUrl,
      application_name: `${this.options.name}-${role}`,
      keepAlive: true,
      keepAliveInitialDelayMillis: 5000,
      // a connection that never answers fails the term (and is retried) instead of holding stop()
      connectionTimeoutMillis: 10_000,
    };
  }

  /** Waits `ms`, or less if the relay stops. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
