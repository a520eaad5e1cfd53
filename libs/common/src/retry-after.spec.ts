import { retryAfterMs } from './retry-after';

const headers = (entries: Record<string, string>) => new Headers(entries);

describe('retryAfterMs', () => {
  it('takes Retry-After-Ms first, else Retry-After in seconds, else none', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '1250', 'retry-after': '2' }))).toBe(1250);
    expect(retryAfterMs(headers({ 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }))).toBeUndefined();
    expect(retryAfterMs(headers({}))).toBeUndefined();
  });
});
