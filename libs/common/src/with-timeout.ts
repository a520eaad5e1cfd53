/**
 * `work`, or a rejection with `${what} within ${timeoutMs} ms` if it takes longer (the timer is
 * cleared either way). For reads that must not hold up their caller: a health probe, a scrape.
 */
export function withTimeout<T>(work: Promise<T>, timeoutMs: number, what = 'no answer'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
