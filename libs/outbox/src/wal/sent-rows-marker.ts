/** What a {@link SentRowsMarker} does with a batch Kafka has acknowledged. */
export interface SentRowsMarkerOptions {
  /** Deletes the rows from the outbox table (durably: the position is confirmed right after). */
  delete(ids: string[]): Promise<void>;
  /** Confirms the slot's position up to `lsn`, for `batches` batches handed out by the stream. */
  confirm(lsn: string, batches: number): void;
  /** How long a batch waits for others to join its delete (a statement for several batches). */
  readonly delayMs: number;
  /** Rows waiting to be marked above which the sender waits for the marking in flight. */
  readonly maxPendingRows: number;
  /**
   * Told at once when a mark fails: the sender may be waiting for more to send, and a server that is
   * shutting down waits for the position it will now never be told (the relay then ends its stream).
   */
  onFailure?(error: Error): void;
}

/**
 * The WAL relay's bookkeeping after a send, off the send path: deletes the sent rows, then confirms
 * their position — in that order, so that a crash in between only re-sends them (the slot streams them
 * again) and never leaves a sent row in the table that no slot will stream. Batches sent while a delete
 * runs, or within `delayMs`, share the next one: one statement for many batches.
 */
export class SentRowsMarker {
  private pending: { ids: string[]; lsn: string }[] = [];
  private pendingRows = 0;
  private marking?: Promise<void>;
  private failure?: Error;

  constructor(private readonly options: SentRowsMarkerOptions) {}

  /** Queues a batch Kafka has acknowledged; waits when too much is queued; throws a failed mark's error. */
  async add(ids: string[], lsn: string): Promise<void> {
    this.throwIfFailed();
    this.pending.push({ ids, lsn });
    this.pendingRows += ids.length;
    this.kick();
    if (this.pendingRows > this.options.maxPendingRows) await this.marking;
    this.throwIfFailed();
  }

  /** Waits until everything queued is deleted and confirmed; throws a failed mark's error. */
  async flush(): Promise<void> {
    while (this.marking) await this.marking;
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private kick(): void {
    if (this.marking || this.pending.length === 0 || this.failure) return;
    this.marking = this.markPending()
      .catch((error: Error) => {
        this.failure = new Error(`deleting sent outbox rows failed: ${error.message}`);
        this.options.onFailure?.(this.failure);
      })
      .finally(() => {
        this.marking = undefined;
        this.kick();
      });
  }

  private async markPending(): Promise<void> {
    if (this.options.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
    const taken = this.pending.splice(0);
    this.pendingRows = 0;
    const ids = taken.flatMap((batch) => batch.ids);
    if (ids.length > 0) await this.options.delete(ids);
    this.options.confirm(taken[taken.length - 1].lsn, taken.length);
  }
}
