import { ConfigError } from '../config/parse-env';
import { requireLogicalReplication } from './logical-replication';

/** A server that answers `SHOW wal_level` and the role query as given. */
function server(walLevel: string, role: { role: string; allowed: boolean }) {
  return {
    query: (sql: string) => Promise.resolve(sql === 'SHOW wal_level' ? [{ wal_level: walLevel }] : [role]),
  } as never;
}

describe('requireLogicalReplication (OUTBOX_RELAY=wal at boot)', () => {
  it('stops a service whose server does not have wal_level=logical, naming the setting and the fix', async () => {
    // Act
    const refusal = requireLogicalReplication(server('replica', { role: 'order_service', allowed: true }));

    // Assert
    await expect(refusal).rejects.toBeInstanceOf(ConfigError);
    await expect(refusal).rejects.toThrow(
      'OUTBOX_RELAY=wal needs wal_level=logical on the database server, which has wal_level=replica: ' +
        'set wal_level = logical in its postgresql.conf and restart it',
    );
  });

  it('stops a service whose role may not replicate, naming the statement that allows it', async () => {
    // Act
    const refusal = requireLogicalReplication(server('logical', { role: 'order_service', allowed: false }));

    // Assert
    await expect(refusal).rejects.toThrow('ALTER ROLE order_service REPLICATION');
  });

  it('lets a service start on a logical server with a role that may replicate', async () => {
    // Act + Assert
    await expect(
      requireLogicalReplication(server('logical', { role: 'order_service', allowed: true })),
    ).resolves.toBeUndefined();
  });
});
