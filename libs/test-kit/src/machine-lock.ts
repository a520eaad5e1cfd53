import { Client } from 'pg';
import { postgresServerUrl } from './postgres-server';

/** The advisory lock key every {@link MachineLock} takes (`hashtext('saga-platform:machine')`). */
const LOCK_SQL = "SELECT pg_advisory_lock(hashtext('saga-platform:machine'))";

/**
 * The machine to oneself, among tests: a PostgreSQL advisory lock on the test server, which every Jest
 * worker (and every process) sees. Two kinds of test take it: those whose figures another test's load
 * would spoil (the bench test's latency bounds), and those that load every core for minutes (the
 * template test builds, lints and tests a copy of the repository). They then never overlap; any other
 * test runs beside either. The lock goes with its session, so a crashed holder frees it.
 */
export class MachineLock {
  private constructor(private readonly client: Client) {}

  /**
   * Waits for the machine (no deadline of its own: the caller's test timeout is the deadline). `holder`
   * names the session (`application_name` `saga-machine-lock:<holder>`), to see who waits in pg_stat_activity.
   */
  static async acquire(holder: string): Promise<MachineLock> {
    const client = new Client({
      connectionString: postgresServerUrl(),
      application_name: `saga-machine-lock:${holder}`,
    });
    await client.connect();
    try {
      await client.query(LOCK_SQL);
    } catch (error) {
      await client.end();
      throw error;
    }
    return new MachineLock(client);
  }

  /** Gives the machine back. */
  async release(): Promise<void> {
    await this.client.end();
  }
}
