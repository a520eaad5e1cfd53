import { Pool } from 'pg';

/**
 * Learns when orders became terminal from the order service's own record: the `at` of their CONFIRMED or
 * CANCELLED timeline step (clock_timestamp() in the transaction that made them so). Polls only for the
 * orders still open, on one connection, every `intervalMs`: the bench's reads stay off the saga's path.
 */
export class TerminalWatch {
  private readonly pool: Pool;
  private readonly open = new Set<string>();
  /** orderId → epoch ms of its terminal step. */
  readonly terminalAt = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;

  constructor(
    orderDatabaseUrl: string,
    private readonly intervalMs = 50,
  ) {
    this.pool = new Pool({ connectionString: orderDatabaseUrl, max: 1 });
  }

  /** Starts watching `orderIds` (as soon as their 202 arrives). */
  watch(orderIds: Iterable<string>): void {
    for (const id of orderIds) if (!this.terminalAt.has(id)) this.open.add(id);
    this.timer ??= setInterval(() => {
      this.polling ??= this.poll().finally(() => (this.polling = undefined));
    }, this.intervalMs);
  }

  /** How many watched orders are not terminal yet. */
  get openCount(): number {
    return this.open.size;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
    await this.pool.end();
  }

  private async poll(): Promise<void> {
    if (this.open.size === 0) return;
    const { rows } = await this.pool.query<{ order_id: string; at: string }>(
      `SELECT order_id, extract(epoch FROM min(at)) * 1000 AS at FROM order_timeline
        WHERE order_id = ANY($1::uuid[]) AND step IN ('CONFIRMED', 'CANCELLED') GROUP BY order_id`,
      [[...this.open]],
    );
    for (const row of rows) {
      this.open.delete(row.order_id);
      this.terminalAt.set(row.order_id, Number(row.at));
    }
  }
}
