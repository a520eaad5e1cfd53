import { Pool } from 'pg';
import { isInfrastructureError } from '@saga/messaging';

/**
 * A small pool per database, made on first use: the harness's waits poll many times a second and must
 * not open a connection each time. Faults that cut the databases' connections (the chaos run's) are
 * survived: an idle connection's error is ignored, and a statement cut under it is asked again.
 */
export class DatabasePools<Name extends string> {
  private readonly pools = new Map<Name, Pool>();

  constructor(private readonly urlOf: (name: Name) => string) {}

  async query<Row>(name: Name, sql: string, params: unknown[] = []): Promise<Row[]> {
    const pool = this.pool(name);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return (await pool.query(sql, params)).rows as Row[];
      } catch (error) {
        // A statement on a connection cut under it: asked again on a new one, a few times.
        if (attempt >= 3 || !isInfrastructureError(error)) throw error;
      }
    }
  }

  async end(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.end()));
    this.pools.clear();
  }

  private pool(name: Name): Pool {
    let pool = this.pools.get(name);
    if (!pool) {
      pool = new Pool({ connectionString: this.urlOf(name), max: 2 });
      // Without a listener, a terminated idle connection's 'error' would crash the process.
      pool.on('error', () => undefined);
      this.pools.set(name, pool);
    }
    return pool;
  }
}
