import { isInfrastructureError } from './infrastructure-error';

const withCode = (code: string) => Object.assign(new Error('x'), { code });

describe('isInfrastructureError', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED')],
    ['an admin shutdown', withCode('57P01')],
    ['a connection failure', withCode('08006')],
    ['a deadlock', withCode('40P01')],
    ['a serialization failure', withCode('40001')],
    ['too many connections', withCode('53300')],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    [
      "a transaction's lost connection (TypeORM)",
      Object.assign(new Error('Database connection provided by a query runner was already released'), {
        name: 'QueryRunnerProviderAlreadyReleasedError',
      }),
    ],
    [
      'a transaction started on a lost connection (TypeORM)',
      Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), {
        name: 'QueryRunnerAlreadyReleasedError',
      }),
    ],
  ])('counts %s as infrastructure', (_what, error) => {
    expect(isInfrastructureError(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['a check violation', withCode('23514')],
    ['a plain handler error', new Error('insufficient funds')],
    ['a non-error', 'boom'],
  ])('counts %s as a failure of the record', (_what, error) => {
    expect(isInfrastructureError(error)).toBe(false);
  });
});
