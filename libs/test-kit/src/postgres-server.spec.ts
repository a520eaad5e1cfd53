import { databaseUrl, postgresServerUrl } from './postgres-server';

describe('postgresServerUrl', () => {
  it('defaults to the local server as DESIGN.md says', () => {
    expect(postgresServerUrl({})).toBe('postgres://postgres@127.0.0.1:55432/postgres');
  });

  it('takes the server from DATABASE_URL and ignores its database', () => {
    expect(postgresServerUrl({ DATABASE_URL: 'postgres://app:pw@db.internal:6432/order_service' })).toBe(
      'postgres://app:pw@db.internal:6432/postgres',
    );
  });

  it('falls back to the libpq variables', () => {
    expect(
      postgresServerUrl({ PGHOST: '10.0.0.5', PGPORT: '5433', PGUSER: 'ops', PGPASSWORD: 's3cret' }),
    ).toBe('postgres://ops:s3cret@10.0.0.5:5433/postgres');
  });
});

describe('databaseUrl', () => {
  it('names another database on the same server', () => {
    expect(databaseUrl('postgres://postgres@127.0.0.1:55432/postgres', 'order_service')).toBe(
      'postgres://postgres@127.0.0.1:55432/order_service',
    );
  });
});
