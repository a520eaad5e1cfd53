import { Agent, request } from 'node:http';

/** One order the load generator placed: when its 202 arrived (epoch ms, sub-ms precision). */
export interface PlacedOrder {
  readonly orderId: string;
  readonly acceptedAt: number;
}

/**
 * One request's outcome: its status (or the network error's code), how long the answer took, and when it
 * was sent (ms since the run began).
 */
export interface Answer {
  readonly status: number | string;
  readonly ms: number;
  readonly sentAtMs: number;
}

/** What an open-loop run sent and what came back. */
export interface OpenLoopResult {
  /** Every request's outcome, in the order they ended. */
  readonly answers: Answer[];
  readonly placed: PlacedOrder[];
  /** Requests that failed or were not answered 202, by what happened (`status 500`, `ECONNRESET`). */
  readonly errors: Record<string, number>;
  readonly sent: number;
  /** Requests sent per second over the window, as achieved (the target unless the client fell behind). */
  readonly sentPerSecond: number;
}

/** The epoch in ms with sub-ms precision (the same clock as PostgreSQL's clock_timestamp()). */
export const epochMs = () => performance.timeOrigin + performance.now();

/** POSTs `body` as JSON to `url`; resolves the status and the parsed answer, rejects on network errors. */
function postJson(
  agent: Agent,
  url: URL,
  body: string,
  headers: Readonly<Record<string, string>>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * An open-loop load generator: sends `rate` requests per second for `durationS`, each at its scheduled
 * time whether or not earlier ones were answered (a slow server meets the same arrivals, as real clients
 * would make it; a closed loop would slow down with it and hide the queue). Requests go over keep-alive
 * connections, at most `maxInFlight` at once (past that the server is far beyond what it sustains, and
 * the rest count as `overloaded`).
 */
export async function runOpenLoop(options: {
  readonly url: string;
  readonly rate: number;
  readonly durationS: number;
  readonly body: (index: number) => unknown;
  /** Sent with every request (say, `authorization`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly maxInFlight?: number;
  /** Called as each 202 arrives. */
  readonly onPlaced?: (order: PlacedOrder) => void;
}): Promise<OpenLoopResult> {
  const url = new URL(options.url);
  if (!['127.0.0.1', '[::1]'].includes(url.hostname))
    throw new Error(`the bench only targets 127.0.0.1, not ${url.hostname}`);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(options.rate * options.durationS);
  const maxInFlight = options.maxInFlight ?? 2_000;
  const placed: PlacedOrder[] = [];
  const answers: Answer[] = [];
  const errors: Record<string, number> = {};
  const failed = (what: string) => (errors[what] = (errors[what] ?? 0) + 1);
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  let sent = 0;
  const send = (index: number) => {
    if (pending.size >= maxInFlight) return failed('overloaded');
    const sentAt = performance.now();
    const answered = (status: number | string) =>
      answers.push({ status, ms: performance.now() - sentAt, sentAtMs: sentAt - started });
    const done = postJson(agent, url, JSON.stringify(options.body(index)), options.headers ?? {}).then(
      ({ status, text }) => {
        answered(status);
        if (status !== 202) return void failed(`status ${status}`);
        const order = { orderId: (JSON.parse(text) as { orderId: string }).orderId, acceptedAt: epochMs() };
        placed.push(order);
        options.onPlaced?.(order);
      },
      (error: NodeJS.ErrnoException) => {
        answered(error.code ?? error.message);
        failed(error.code ?? error.message);
      },
    );
    pending.add(done);
    void done.finally(() => pending.delete(done));
  };
  // Each tick sends every request whose time has come: pacing by the clock, not by answers.
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * options.rate) + 1);
    for (; sent < due; sent += 1) send(sent);
    const next = started + (sent / options.rate) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  const windowS = (performance.now() - started) / 1000;
  await Promise.all(pending);
  agent.destroy();
  return { placed, answers, errors, sent, sentPerSecond: Math.round((sent / windowS) * 10) / 10 };
}
