/**
 * Formats integer minor units for people: `formatMoney(11800, 'EUR')` → `EUR 118.00`. The number of
 * decimals is the currency's own (JPY has none); the arithmetic stays in integers, so no float rounding.
 */
export function formatMoney(cents: number, currency: string): string {
  const digits = minorDigits(currency);
  const scale = 10 ** digits;
  const major = Math.floor(cents / scale).toLocaleString('en-US');
  const minor = String(cents % scale).padStart(digits, '0');
  return digits === 0 ? `${currency} ${major}` : `${currency} ${major}.${minor}`;
}

function minorDigits(currency: string): number {
  try {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    return format.resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2; // a well-formed code Intl does not know: show cents, the common case
  }
}
