import type { DataSource } from 'typeorm';
import { ConfigError } from '../config/parse-env';

/**
 * Stops a service in `OUTBOX_RELAY=wal` at boot, with one message naming the setting and the fix,
 * when its server cannot stream the WAL (`wal_level` below `logical`) or its role may not replicate.
 * A server's `wal_level` changes only with a restart: that is for the server's owner to do, not us.
 */
export async function requireLogicalReplication(dataSource: Pick<DataSource, 'query'>): Promise<void> {
  const [{ wal_level: level }] = await dataSource.query<{ wal_level: string }[]>('SHOW wal_level');
  if (level !== 'logical') {
    throw new ConfigError([
      `OUTBOX_RELAY=wal needs wal_level=logical on the database server, which has wal_level=${level}: ` +
        'set wal_level = logical in its postgresql.conf and restart it, point DATABASE_URL at a server that ' +
        'has it, or use OUTBOX_RELAY=notify',
    ]);
  }
  const [{ role, allowed }] = await dataSource.query<{ role: string; allowed: boolean }[]>(
    'SELECT current_user AS role, rolreplication OR rolsuper AS allowed FROM pg_roles WHERE rolname = current_user',
  );
  if (!allowed) {
    throw new ConfigError([
      `OUTBOX_RELAY=wal needs a database role that may replicate, and ${role} may not: ` +
        `ALTER ROLE ${role} REPLICATION (as a superuser), or use OUTBOX_RELAY=notify`,
    ]);
  }
}
