import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readToEnd } from '@saga/common';
import { SERVICE_NAMES, deadLetterTopic } from '@saga/contracts';
import type { testKafka } from '@saga/test-kit';
import type { ProcessPlatform, SagaHarness } from '@saga/testing';
import { SAGA_TOPICS } from './chaos-records';

/* What a failed chaos run keeps about each order it flags, for a post-mortem after the copy is gone. */

/** One record of an order in the log (the saga topics and the dead-letter topics). */
export interface RecordSeen {
  readonly at: string;
  readonly type: string;
  readonly id: string;
  /** `topic/partition@offset`, the topic without the copy's prefix. */
  readonly where: string;
}

/** Everything the run knew of one flagged order when it ended. */
export interface OrderEvidence {
  readonly orderId: string;
  /** Its rows in each service's database (order, timeline, payment, reservation, e-mails). */
  readonly rows: Record<string, unknown[]>;
  /** Its records in the log, in log-append time order. */
  readonly records: RecordSeen[];
  /** The services' log lines that name it (a relay batch's line cut down to the order's part). */
  readonly logLines: string[];
}

const ROW_QUERIES: { service: (typeof SERVICE_NAMES)[number]; name: string; sql: string }[] = [
  { service: 'order', name: 'orders', sql: 'SELECT * FROM orders WHERE id = $1' },
  {
    service: 'order',
    name: 'order_timeline',
    sql: 'SELECT step, at, event_type, event_id FROM order_timeline WHERE order_id = $1 ORDER BY id',
  },
  { service: 'payment', name: 'payments', sql: 'SELECT * FROM payments WHERE order_id = $1' },
  { service: 'inventory', name: 'reservations', sql: 'SELECT * FROM reservations WHERE order_id = $1' },
  { service: 'notification', name: 'notifications', sql: 'SELECT * FROM notifications WHERE order_id = $1' },
];

const MAX_LOG_LINES = 60;

/** Gathers {@link OrderEvidence} for `orderIds` from the copy's databases, its log and the services' logs. */
export async function gatherEvidence(
  saga: SagaHarness<ProcessPlatform>,
  kafka: ReturnType<typeof testKafka>,
  prefix: string,
  logDir: string,
  orderIds: readonly string[],
): Promise<OrderEvidence[]> {
  if (orderIds.length === 0) return [];
  const wanted = new Set(orderIds);
  const records = new Map(orderIds.map((id) => [id, [] as (RecordSeen & { ms: number })[]]));
  const topics = [...SAGA_TOPICS, ...SERVICE_NAMES.map((service) => deadLetterTopic(service).name)];
  await readToEnd(
    kafka,
    topics.map((topic) => `${prefix}${topic}`),
    (topic, partition, message) => {
      const key = message.key?.toString() ?? '';
      if (!wanted.has(key)) return;
      records.get(key)!.push({
        ms: Number(message.timestamp),
        at: new Date(Number(message.timestamp)).toISOString(),
        type: message.headers?.ce_type?.toString() ?? '?',
        id: message.headers?.ce_id?.toString() ?? '?',
        where: `${topic.slice(prefix.length)}/${partition}@${message.offset}`,
      });
    },
  );
  const logs = readLogs(logDir);
  const evidence: OrderEvidence[] = [];
  for (const orderId of orderIds) {
    const rows: Record<string, unknown[]> = {};
    for (const { service, name, sql } of ROW_QUERIES) {
      rows[name] = await saga.query(service, sql, [orderId]).catch((error: Error) => [error.message]);
    }
    evidence.push({
      orderId,
      rows,
      records: records
        .get(orderId)!
        .sort((a, b) => a.ms - b.ms)
        .map(({ ms: _ms, ...record }) => record),
      logLines: linesNaming(logs, orderId),
    });
  }
  return evidence;
}

/** Every service log of the run (`<service>-<index>.log` and the like), by file name. */
function readLogs(logDir: string): { file: string; lines: string[] }[] {
  let files: string[];
  try {
    files = readdirSync(logDir).filter((file) => file.endsWith('.log'));
  } catch {
    return [];
  }
  return files.map((file) => ({ file, lines: readFileSync(join(logDir, file), 'utf8').split('\n') }));
}

/**
 * The log lines naming `orderId`, prefixed by their file. A relay's batch line (hundreds of events) is cut
 * to the order's own events and the broker's answers, which say at which offset each partition's part of
 * the batch landed.
 */
export function linesNaming(logs: { file: string; lines: string[] }[], orderId: string): string[] {
  const found: string[] = [];
  for (const { file, lines } of logs) {
    for (const line of lines) {
      if (!line.includes(orderId)) continue;
      found.push(`${file}: ${shorten(line, orderId)}`);
      if (found.length >= MAX_LOG_LINES) return found;
    }
  }
  return found;
}

function shorten(line: string, orderId: string): string {
  const batch = /sent (\d+) \[(.*)\] answered \[(.*?)\]/.exec(line);
  if (!batch) return line.length > 600 ? `${line.slice(0, 600)}…` : line;
  const events = batch[2].split(', ');
  const mine = events
    .map((event, index) => ({ event, index }))
    .filter(({ event }) => event.includes(orderId))
    .map(({ event, index }) => `#${index} ${event}`);
  return `${line.slice(0, batch.index)}sent ${batch[1]} [… ${mine.join(', ')} …] answered [${batch[3]}]`;
}
