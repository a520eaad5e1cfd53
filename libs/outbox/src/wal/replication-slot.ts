import type { Client } from 'pg';

/** The publication of the outbox table: inserts only (a delete after publishing is not news). */
export const OUTBOX_PUBLICATION = 'saga_outbox';

/**
 * The replication slot of a service's outbox: one per database. Slot names are the server's, not the
 * database's, so the database's name is in it (lower case, digits and `_`, at most 63 characters).
 */
export function outboxSlotName(databaseUrl: string): string {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || 'postgres';
  return `saga_outbox_${database.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

/** Whether the error is PostgreSQL's "that already exists" (two instances creating the same thing). */
function alreadyExists(error: unknown): boolean {
  return (error as { code?: string }).code === '42710';
}

/** Creates the outbox's publication unless it exists. */
export async function ensurePublication(client: Client): Promise<void> {
  const { rows } = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [
    OUTBOX_PUBLICATION,
  ]);
  if (rows.length > 0) return;
  try {
    await client.query(`CREATE PUBLICATION ${OUTBOX_PUBLICATION} FOR TABLE outbox WITH (publish = 'insert')`);
  } catch (error) {
    if (!alreadyExists(error)) throw error;
  }
}

/**
 * What {@link ensureSlot} found: the slot as it was (`existing`), or a new one, because there was none
 * (`created`) or the server had invalidated it for the WAL it held (`recreated`). A new slot streams
 * only what commits from now on: the relay then publishes the outbox table's rows itself.
 */
export type SlotState = 'existing' | 'created' | 'recreated';

/** Makes sure the outbox's slot exists and can stream (pgoutput), recreating an invalidated one. */
export async function ensureSlot(client: Client, slot: string): Promise<SlotState> {
  const { rows } = await client.query<{ wal_status: string | null }>(
    'SELECT wal_status FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
  let state: SlotState = 'created';
  if (rows.length > 0) {
    if (rows[0].wal_status !== 'lost') return 'existing';
    await client.query('SELECT pg_drop_replication_slot($1)', [slot]);
    state = 'recreated';
  }
  try {
    await client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
  } catch (error) {
    if (alreadyExists(error)) return 'existing';
    throw error;
  }
  return state;
}

/** How far the slot is behind, in bytes: what it has not confirmed, and the WAL it makes the server keep. */
export interface SlotLag {
  readonly active: boolean;
  /** `reserved`, `extended`, `unreserved` or `lost` (PostgreSQL's `wal_status`). */
  readonly walStatus: string | null;
  /** Bytes of WAL written since the position the relay last confirmed. */
  readonly unconfirmedBytes: number;
  /** Bytes of WAL the server keeps for the slot. */
  readonly retainedBytes: number;
}

/** The slot's lag, or undefined when there is no such slot. */
export async function slotLag(client: Pick<Client, 'query'>, slot: string): Promise<SlotLag | undefined> {
  const { rows } = await client.query<{
    active: boolean;
    wal_status: string | null;
    unconfirmed: string | null;
    retained: string | null;
  }>(
    `SELECT active, wal_status,
            pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS unconfirmed,
            pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text AS retained
       FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  if (rows.length === 0) return undefined;
  const [row] = rows;
  return {
    active: row.active,
    walStatus: row.wal_status,
    unconfirmedBytes: Number(row.unconfirmed ?? 0),
    retainedBytes: Number(row.retained ?? 0),
  };
}
