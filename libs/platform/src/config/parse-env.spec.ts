import { redactValue } from './parse-env';

describe('redactValue', () => {
  it.each([
    ['DATABASE_URL', 'postgres://app:s3cret@db:5432/orders', 'postgres://app:***@db:5432/orders'],
    ['DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/x', 'postgres://postgres@127.0.0.1:5432/x'],
    ['KAFKA_SASL_PASSWORD', 'hunter2', '***'],
    ['JWT_PRIVATE_KEY', '-----BEGIN', '***'],
    ['PORT', 'abc', 'abc'],
  ])('shows %s=%s as %s', (name, value, shown) => {
    expect(redactValue(name, value)).toBe(shown);
  });
});
