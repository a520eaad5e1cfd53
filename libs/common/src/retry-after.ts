/**
 * The wait a response asks for: `Retry-After-Ms` (milliseconds), else `Retry-After` in seconds (RFC 9110;
 * an HTTP date is not used by the services and counts as none).
 */
export function retryAfterMs(headers: Pick<Headers, 'get'>): number | undefined {
  const ms = Number(headers.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const seconds = headers.get('retry-after');
  return seconds !== null && /^\d+$/.test(seconds.trim()) ? Number(seconds) * 1000 : undefined;
}
