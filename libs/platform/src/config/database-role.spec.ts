import { databaseRole, roleDatabaseUrl } from './database-role';
import { databaseName } from './service-config';

describe('databaseRole', () => {
  it("names a service's role after its database", () => {
    expect(databaseRole('order')).toBe('order_service');
    expect(databaseRole('notification')).toBe(databaseName('notification'));
  });
});

describe('roleDatabaseUrl', () => {
  it("keeps the server's host, port and options, and drops its user and password", () => {
    // Act
    const url = roleDatabaseUrl(
      'postgres://postgres:sup3r@db.internal:6432/postgres?sslmode=require',
      'order_service',
      'order_service',
    );

    // Assert
    expect(url).toBe('postgres://order_service@db.internal:6432/order_service?sslmode=require');
  });

  it("puts the role's own password in, escaped", () => {
    expect(roleDatabaseUrl('postgres://postgres@127.0.0.1:5432', 'payment_service', 'x', 'p@ss/w')).toBe(
      'postgres://payment_service:p%40ss%2Fw@127.0.0.1:5432/x',
    );
  });
});
