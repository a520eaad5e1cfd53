import type { OutboxRow } from '../outbox-relay.options';

/** One committed transaction's outbox rows, in the order it inserted them, and where its commit ends. */
export interface CommittedRows {
  readonly rows: OutboxRow[];
  /** The WAL position just after its commit record: acknowledged once its rows are in Kafka. */
  readonly endLsn: string;
}

/** The pgoutput messages the relay reads (pg-logical-replication's parsed form). */
export type OutboxMessage =
  | { tag: 'begin' }
  | { tag: 'insert'; relation: { schema: string; name: string }; new: Record<string, unknown> }
  | { tag: 'commit'; commitEndLsn: string | null }
  | { tag: string };

/**
 * Turns the stream of pgoutput messages into committed transactions' outbox rows. pgoutput (protocol
 * 1) sends a transaction only once it has committed, whole, in commit order, so rows come out in commit
 * order: what one key's consumers must see, with no lock among the writers.
 */
export class OutboxTransactions {
  private open?: OutboxRow[];

  constructor(private readonly table = 'outbox') {}

  /** Whether a transaction has begun and not yet committed. */
  get inTransaction(): boolean {
    return this.open !== undefined;
  }

  /** Takes the next message; at a commit, returns that transaction (with no rows if it wrote none). */
  accept(message: OutboxMessage): CommittedRows | undefined {
    if (message.tag === 'begin') {
      this.open = [];
    } else if (message.tag === 'insert' && 'relation' in message && message.relation.name === this.table) {
      if (!this.open) throw new Error('pgoutput: an insert outside a transaction');
      this.open.push(outboxRow(message.new));
    } else if (message.tag === 'commit' && 'commitEndLsn' in message) {
      const rows = this.open ?? [];
      this.open = undefined;
      if (!message.commitEndLsn) throw new Error('pgoutput: a commit without its end position');
      return { rows, endLsn: message.commitEndLsn };
    }
    return undefined;
  }
}

/** An inserted outbox row as the relay sends it; pgoutput's text values parsed by `pg`'s type parsers. */
export function outboxRow(values: Record<string, unknown>): OutboxRow {
  const headers = values.headers;
  const createdAt = values.created_at;
  return {
    id: String(values.id),
    topic: String(values.topic),
    record_key: String(values.record_key),
    headers: (typeof headers === 'string' ? JSON.parse(headers) : headers) as Record<string, string>,
    payload: String(values.payload),
    created_ms: createdAt instanceof Date ? createdAt.getTime() : Date.parse(String(createdAt)),
  };
}
