import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';
import {
  clusterUrl,
  runningClusterPid,
  startPostgresCluster,
  stopPostgresCluster,
  type PostgresCluster,
} from './postgres-cluster';

describe('a PostgreSQL cluster of our own', () => {
  let cluster: PostgresCluster;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(__dirname, '..', '..', '..', '.local', 'it-cluster-'));
    cluster = { dir: join(root, 'pg'), port: await freePort(), settings: { wal_level: 'logical' } };
  });

  afterAll(async () => {
    await stopPostgresCluster(cluster, 'immediate');
    rmSync(root, { recursive: true, force: true });
  });

  async function walLevel(): Promise<string> {
    const client = new Client({ connectionString: clusterUrl(cluster) });
    await client.connect();
    try {
      return (await client.query<{ wal_level: string }>('SHOW wal_level')).rows[0].wal_level;
    } finally {
      await client.end();
    }
  }

  it('is created with its settings, started, stopped by its pid, and keeps its data across restarts', async () => {
    // Act
    const pid = await startPostgresCluster(cluster);
    const level = await walLevel();
    const client = new Client({ connectionString: clusterUrl(cluster) });
    await client.connect();
    await client.query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    await client.end();
    const again = await startPostgresCluster(cluster); // already running: nothing new
    const stopped = await stopPostgresCluster(cluster);
    const afterStop = runningClusterPid(cluster);
    const restarted = await startPostgresCluster(cluster);
    const reader = new Client({ connectionString: clusterUrl(cluster) });
    await reader.connect();
    const { rows } = await reader.query<{ n: number }>('SELECT n FROM kept');
    await reader.end();

    // Assert
    expect(level).toBe('logical');
    expect(again).toBe(pid);
    expect(stopped).toBe(true);
    expect(afterStop).toBeUndefined();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(restarted).not.toBe(pid);
    expect(rows).toEqual([{ n: 42 }]);
  });
});
