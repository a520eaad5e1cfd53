import type { RecordMetadata } from 'kafkajs';
import type { OutboxRow } from './outbox-relay.options';

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
