import type { EntityManager } from 'typeorm';

/** A customer's account as the use cases need it. */
export interface Account {
  readonly customerId: string;
  /** ISO 4217 code; an order in another currency is declined. */
  readonly currency: string;
  /** What the customer can spend now, in cents. */
  readonly balanceCents: number;
}

/** A ledger entry's kind: a charge takes money from the balance, a refund gives it back. */
export type EntryKind = 'CHARGE' | 'REFUND';

interface AccountRow {
  customerId: string;
  currency: string;
  balanceCents: string;
}

const COLUMNS = 'customer_id AS "customerId", currency, balance_cents AS "balanceCents"';

function toAccount(row: AccountRow | undefined): Account | undefined {
  return row && { ...row, balanceCents: Number(row.balanceCents) };
}

/** Reads an account without locking it (for reading only). */
export async function findAccount(manager: EntityManager, customerId: string): Promise<Account | undefined> {
  const rows = await manager.query<AccountRow[]>(`SELECT ${COLUMNS} FROM accounts WHERE customer_id = $1`, [
    customerId,
  ]);
  return toAccount(rows[0]);
}

/**
 * Reads an account and locks it to the end of the transaction: two orders of one customer, handled
 * concurrently, must not both spend the same balance.
 */
export async function lockAccount(manager: EntityManager, customerId: string): Promise<Account | undefined> {
  const rows = await manager.query<AccountRow[]>(
    `SELECT ${COLUMNS} FROM accounts WHERE customer_id = $1 FOR UPDATE`,
    [customerId],
  );
  return toAccount(rows[0]);
}

/** One movement of money on an account, for one order. */
export interface Entry {
  readonly customerId: string;
  readonly orderId: string;
  readonly kind: EntryKind;
  readonly amountCents: number;
}

/**
 * Writes a ledger entry and moves the balance by it, in the caller's transaction: the balance never
 * changes without an entry, which keeps opening − Σ charges + Σ refunds = balance. The ledger's
 * UNIQUE (order_id, kind) makes a second charge or refund of one order fail instead of applying.
 */
export async function postEntry(manager: EntityManager, entry: Entry): Promise<void> {
  await manager.query(
    'INSERT INTO account_entries (customer_id, order_id, kind, amount_cents) VALUES ($1, $2, $3, $4)',
    [entry.customerId, entry.orderId, entry.kind, entry.amountCents],
  );
  const delta = entry.kind === 'CHARGE' ? -entry.amountCents : entry.amountCents;
  await manager.query(
    'UPDATE accounts SET balance_cents = balance_cents + $2, updated_at = now() WHERE customer_id = $1',
    [entry.customerId, delta],
  );
}
