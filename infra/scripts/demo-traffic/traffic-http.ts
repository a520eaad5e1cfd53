import { retryAfterMs } from '@saga/common';
/** An HTTP answer: its status and JSON body (undefined when there was none or it was not JSON). */
export interface HttpAnswer<Body> {
  readonly status: number;
  readonly body: Body | undefined;
  /** How long the server asked to wait before sending again (`Retry-After-Ms`, else `Retry-After`). */
  readonly retryAfterMs?: number;
}

/** A request gives up after this long by default: a hung service shows as errors, not as a hung run. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Sends a JSON request; rejects on a network error, a timeout or `signal`, never on a status. */
export async function requestJson<Body>(
  url: string,
  method: 'GET' | 'POST',
  body?: unknown,
  options: { headers?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<HttpAnswer<Body>> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS);
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
  });
  const text = await response.text();
  const answer = { status: response.status, retryAfterMs: retryAfterMs(response.headers) };
  try {
    return { ...answer, body: text ? (JSON.parse(text) as Body) : undefined };
  } catch {
    return { ...answer, body: undefined };
  }
}

/** Runs `task` over `items` with at most `limit` at a time. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
