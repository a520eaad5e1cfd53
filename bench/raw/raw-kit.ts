/**
 * The raw floor's kit: what a team would hand-write with `pg` and `kafkajs` alone — no Nest, no TypeORM,
 * no schema validation — to run one saga participant with an outbox and an inbox. The four scripts beside
 * it use it; `npm run bench` measures the platform against them. Everything comes from the environment
 * the bench sets: DATABASE_URL, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, KAFKA_GROUP_ID (and PORT, SMTP_PORT).
 */
import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import { Client, Pool, type PoolClient } from 'pg';

export const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

export const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
export const pool = new Pool({ connectionString: env('DATABASE_URL'), max: 5 });
export const kafka = new Kafka({
  clientId: env('KAFKA_GROUP_ID'),
  brokers: env('KAFKA_BROKERS').split(','),
  logLevel: logLevel.ERROR,
});

/** An event as the raw scripts pass it around: the CloudEvents attributes and the data. */
export interface RawEvent {
  readonly id: string;
  readonly type: string;
  readonly topic: string;
  readonly key: string;
  readonly time: string;
  readonly correlationId: string;
  readonly data: Record<string, unknown>;
}

/** A new event of `type` on `topic` (unprefixed), keyed by `key`, caused by `cause` if any. */
export function newEvent(
  type: string,
  topic: string,
  key: string,
  data: Record<string, unknown>,
  cause?: RawEvent,
): RawEvent & { causationId?: string } {
  const id = randomUUID();
  return {
    id,
    type,
    topic,
    key,
    time: new Date().toISOString(),
    correlationId: cause?.correlationId ?? id,
    causationId: cause?.id,
    data,
  };
}

/** Runs `work` in one transaction on a pooled connection. */
export async function inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The outbox write: the rows and a NOTIFY that wakes the relay at commit. */
export async function addToOutbox(
  client: PoolClient,
  ...events: (RawEvent & { causationId?: string })[]
): Promise<void> {
  const values: unknown[] = [];
  const rows = events.map((event, index) => {
    const headers: Record<string, string> = {
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_type: event.type,
      ce_source: `/saga-platform/raw`,
      ce_time: event.time,
      ce_correlationid: event.correlationId,
      'content-type': 'application/json',
    };
    if (event.causationId) headers.ce_causationid = event.causationId;
    values.push(event.id, event.type, event.topic, event.key, headers, JSON.stringify(event.data));
    const p = index * 6;
    return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6})`;
  });
  await client.query(
    `INSERT INTO outbox (event_id, event_type, topic, record_key, headers, payload) VALUES ${rows.join(', ')}`,
    values,
  );
  await client.query("SELECT pg_notify('saga_outbox', '')");
}

/** The inbox write: false when this consumer has applied the event before. */
export async function recordInInbox(client: PoolClient, event: RawEvent): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3)
     ON CONFLICT (consumer, event_id) DO NOTHING`,
    [env('KAFKA_GROUP_ID'), event.id, event.type],
  );
  return rowCount === 1;
}

/** An idempotent producer with the platform's settings (acks=-1, one request in flight). */
export function producer(): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/**
 * Runs `step` over and over while it reports work done, whenever `channel` is notified (and every second,
 * a safety net for a lost wake-up, off the hot path); never twice at once — a NOTIFY during a run makes it
 * go round again.
 */
export async function onNotify(channel: string, step: () => Promise<boolean>): Promise<void> {
  const listener = new Client({ connectionString: env('DATABASE_URL') });
  await listener.connect();
  let running = false;
  let again = false;
  const run = async () => {
    if (running) return void (again = true);
    running = true;
    try {
      do {
        again = false;
        while (await step());
      } while (again);
    } finally {
      running = false;
    }
  };
  const runLogged = () => void run().catch((error: Error) => console.error(error.message));
  listener.on('notification', runLogged);
  await listener.query(`LISTEN ${channel}`);
  setInterval(runLogged, 1000);
  await run();
}

/**
 * The relay: woken by the commit's NOTIFY, it sends the outbox in id order, 500 rows a batch, and
 * deletes what was sent. One process, so no leader election.
 */
export async function startRelay(): Promise<void> {
  const send = producer();
  await send.connect();
  await onNotify('saga_outbox', async () => {
    const { rows } = await pool.query<{
      id: string;
      topic: string;
      record_key: string;
      headers: Record<string, string>;
      payload: string;
    }>('SELECT id, topic, record_key, headers, payload FROM outbox ORDER BY id LIMIT 500');
    if (rows.length === 0) return false;
    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const row of rows) {
      const topic = `${prefix}${row.topic}`;
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: row.record_key, value: row.payload, headers: row.headers });
      byTopic.set(topic, messages);
    }
    await send.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    await pool.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((row) => row.id)]);
    return true;
  });
}

/** A consumed event and where it came from. */
export type RawHandler = (client: PoolClient, event: RawEvent, offset: string) => Promise<void>;

/**
 * Consumes `topics` (unprefixed) as the group: each record in one transaction with its inbox entry,
 * three partitions at a time, each in order; the offset is committed after the database commit.
 */
export async function consume(
  handlers: Record<string, RawHandler>,
  topics: readonly string[],
): Promise<void> {
  const consumer = kafka.consumer({
    groupId: env('KAFKA_GROUP_ID'),
    sessionTimeout: 10_000,
    heartbeatInterval: 3_000,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: topics.map((topic) => `${prefix}${topic}`), fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachMessage: async ({ topic, message }) => {
      const header = (name: string) => message.headers?.[name]?.toString();
      const type = header('ce_type')!;
      const handler = handlers[type];
      if (!handler) return;
      const event: RawEvent = {
        id: header('ce_id')!,
        type,
        topic: topic.slice(prefix.length),
        key: message.key?.toString() ?? '',
        time: header('ce_time')!,
        correlationId: header('ce_correlationid')!,
        data: JSON.parse(message.value!.toString()) as Record<string, unknown>,
      };
      await inTransaction(async (client) => {
        if (await recordInInbox(client, event)) await handler(client, event, message.offset);
      });
    },
  });
}

/** Tells the bench this participant is up. */
export function ready(what: string): void {
  process.stdout.write(`ready ${what}\n`);
}

/** Ends the process on SIGTERM. */
process.once('SIGTERM', () => process.exit(0));
