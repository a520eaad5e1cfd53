import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ProblemDetails } from './problem-details.filter';

/** The status Node itself answers a parser error with; anything else is a 400. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

const DETAIL_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'the request is not well-formed HTTP/1.1',
  408: 'the request did not arrive in time',
  413: 'the chunk extensions are too large',
  431: 'the request line and headers are larger than the server reads',
};

/**
 * Answers a request that Node's HTTP parser refuses (a control character in a header, a request line
 * or headers over `maxHeaderSize`, …) as problem+json, like every other error. Such a request never
 * reaches Express or Nest; without this, Node answers a bare `400`/`431` with no body.
 *
 * As Node's own handler does, it answers only when nothing of a response has gone out on the
 * connection yet, and closes the connection: what follows the bad bytes cannot be trusted.
 */
export function answerClientErrorsAsProblems(server: Server): void {
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy(error);
      return;
    }
    const status = STATUS_BY_CODE[error.code ?? ''] ?? 400;
    const problem: ProblemDetails = {
      type: 'about:blank',
      title: STATUS_CODES[status] ?? 'Bad Request',
      status,
      detail: DETAIL_BY_STATUS[status],
    };
    const body = JSON.stringify(problem);
    socket.end(
      `HTTP/1.1 ${status} ${problem.title}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
