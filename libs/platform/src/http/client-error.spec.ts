import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { answerClientErrorsAsProblems } from './client-error';

/** Writes `request` as raw bytes on a connection of its own and resolves with everything answered. */
function sendRaw(server: Server, request: string): Promise<string> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.write(request);
  });
}

describe('answerClientErrorsAsProblems', () => {
  let server: Server;

  beforeAll(async () => {
    server = createServer((_request, response) => response.end('ok'));
    answerClientErrorsAsProblems(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers a control character in a header with a 400 problem', async () => {
    // Act
    const answer = await sendRaw(server, 'POST / HTTP/1.1\r\nhost: x\r\nidempotency-key: \u001b[31m\r\n\r\n');

    // Assert
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toContain('Content-Type: application/problem+json');
    expect(JSON.parse(body)).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'the request is not well-formed HTTP/1.1',
    });
  });

  it('answers headers over the size limit with a 431 problem', async () => {
    // Act
    const answer = await sendRaw(server, `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nhost: x\r\n\r\n`);

    // Assert
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(JSON.parse(body)).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
  });

  it('leaves well-formed requests alone', async () => {
    // Act
    const answer = await sendRaw(server, 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');

    // Assert
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
  });
});
