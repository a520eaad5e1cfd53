import { formatMoney } from './format-money';

describe('formatMoney', () => {
  it.each([
    [11800, 'EUR', 'EUR 118.00'],
    [990, 'EUR', 'EUR 9.90'],
    [5, 'USD', 'USD 0.05'],
    [0, 'EUR', 'EUR 0.00'],
    [189900, 'EUR', 'EUR 1,899.00'],
    [1500, 'JPY', 'JPY 1,500'],
    [1234, 'KWD', 'KWD 1.234'],
  ])('formats %i %s as %s', (cents, currency, expected) => {
    // Act
    const formatted = formatMoney(cents, currency);

    // Assert
    expect(formatted).toBe(expected);
  });
});
