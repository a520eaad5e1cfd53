/**
 * How far back a poll looks below the highest timeline id already sent. Ids come from a sequence at
 * INSERT, but transactions commit in another order: a step with a lower id can become visible after a
 * higher one was sent. Looking back this many ids (and skipping those already sent) catches it.
 */
export const LOOK_BACK_IDS = 1000;

/**
 * Which `order_timeline` rows a feed has sent: each id goes out once, in id order, even when a lower
 * id commits late. Keeps only the ids within {@link LOOK_BACK_IDS} of the highest one.
 */
export class StepCursor {
  private highest: number;
  private readonly sent = new Set<number>();

  /** Starts after `highest` (the snapshot's last id), with `alreadySent` ids near it. */
  constructor(highest: number, alreadySent: Iterable<number> = []) {
    this.highest = highest;
    for (const id of alreadySent) this.sent.add(id);
  }

  /** The poll's lower bound: rows with an id above it may still be unsent. */
  get floor(): number {
    return Math.max(0, this.highest - LOOK_BACK_IDS);
  }

  /** The rows whose id was not sent yet, in id order; nothing is marked sent. */
  unsent<T extends { readonly id: number }>(rows: readonly T[]): T[] {
    return rows.filter((row) => row.id > this.floor && !this.sent.has(row.id)).sort((a, b) => a.id - b.id);
  }

  /** {@link unsent}, marking them sent. */
  take<T extends { readonly id: number }>(rows: readonly T[]): T[] {
    const fresh = this.unsent(rows);
    this.markSent(fresh);
    return fresh;
  }

  /** Records rows as sent. */
  markSent(rows: readonly { readonly id: number }[]): void {
    for (const row of rows) {
      this.sent.add(row.id);
      this.highest = Math.max(this.highest, row.id);
    }
    for (const id of this.sent) if (id <= this.floor) this.sent.delete(id);
  }
}
