import { connect } from 'node:net';
import type { SagaHarness } from '@saga/testing';
import type { FuzzRequest } from './http-fuzz-requests';

/** What no answer may contain: a stack frame, a source path, or the database's own words. */
const LEAKS = [
  /\n\s+at \S/,
  /\.[jt]s:\d+/,
  /node_modules/,
  /QueryFailedError|syntax error at or near|relation "|violates .* constraint|duplicate key value/,
  /invalid byte sequence|\bSELECT\b[\s\S]*\bFROM\b|\bINSERT INTO\b/,
];

/** An answer as the fuzz looks at it. */
export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

/**
 * Sends a request over a connection of its own, its bytes exactly as given: fetch and node:http refuse
 * to send control characters in a header, and a client that reuses connections could pin one request's
 * early answer (a 413 before the body is read) on the next. A request with no answer in 5 s is a hang.
 */
export function send(saga: SagaHarness, request: FuzzRequest): Promise<Answer> {
  const { hostname, port, host } = new URL(saga.platform.url(request.service));
  const head = [
    `${request.method} ${request.path} HTTP/1.1`,
    `host: ${host}`,
    'connection: close',
    ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
    ...(request.body ? [`content-length: ${request.body.length}`] : []),
  ];
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname);
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s (a hang)')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // An answer before the whole body was sent (413) may reset the connection: the answer still counts.
    socket.on('error', (error) => (chunks.length > 0 ? undefined : reject(error)));
    socket.on('close', () => resolve(parseAnswer(Buffer.concat(chunks))));
    socket.write(
      Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), request.body ?? Buffer.alloc(0)]),
    );
  });
}

/** Reads a raw HTTP/1.1 response: status line, headers, and a body sized or chunked. */
function parseAnswer(raw: Buffer): Answer {
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = raw
    .subarray(0, split < 0 ? raw.length : split)
    .toString('latin1')
    .split('\r\n');
  const headers = new Map(
    lines.map((headerLine) => {
      const colon = headerLine.indexOf(':');
      return [headerLine.slice(0, colon).trim().toLowerCase(), headerLine.slice(colon + 1).trim()] as const;
    }),
  );
  let body = split < 0 ? Buffer.alloc(0) : raw.subarray(split + 4);
  if (headers.get('transfer-encoding') === 'chunked') {
    const parts: Buffer[] = [];
    for (let at = 0; ;) {
      const end = body.indexOf('\r\n', at);
      const size = parseInt(body.subarray(at, end).toString('latin1'), 16);
      if (!(size > 0)) break;
      parts.push(body.subarray(end + 2, end + 2 + size));
      at = end + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  }
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0),
    contentType: headers.get('content-type') ?? '',
    text: body.toString('utf8'),
  };
}

/** Parses a problem body, or undefined if it is not JSON. */
function parse(text: string): { status?: unknown; title?: unknown } | undefined {
  try {
    return JSON.parse(text) as { status?: unknown; title?: unknown };
  } catch {
    return undefined;
  }
}

/** Asserts the answer is a 4xx problem+json whose body names the status and a title, and leaks nothing. */
export function expectRefused(answer: Answer): void {
  const body = parse(answer.text);
  expect({
    status: answer.status >= 400 && answer.status < 500 ? '4xx' : answer.status,
    contentType: answer.contentType.split(';')[0].trim(),
    problemStatus: body?.status,
    titled: typeof body?.title === 'string' && body.title.length > 0,
    leaks: LEAKS.filter((leak) => leak.test(answer.text)).map(String),
  }).toEqual({
    status: '4xx',
    contentType: 'application/problem+json',
    problemStatus: answer.status,
    titled: true,
    leaks: [],
  });
}
