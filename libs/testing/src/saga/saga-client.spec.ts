import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SagaClient } from './saga-client';

const ORDER_ID = '7d1f0c8e-8f5a-4c7e-9b8a-2f1d3c4b5a69';

describe("SagaClient checks every answer against the service's OpenAPI document", () => {
  let server: Server;
  let answer: { status: number; type: string; body: string };
  let client: SagaClient;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new SagaClient(() => `http://127.0.0.1:${port}`);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('returns an answer the document describes', async () => {
    // Arrange
    answer = {
      status: 200,
      type: 'application/json',
      body: JSON.stringify({ customerId: 'rich', balanceCents: 100, currency: 'EUR' }),
    };

    // Act
    const account = await client.getAccount('rich');

    // Assert
    expect(account).toEqual({ customerId: 'rich', balanceCents: 100, currency: 'EUR' });
  });

  it('fails on an answer the document does not describe, naming what disagrees', async () => {
    // Arrange
    answer = { status: 200, type: 'application/json', body: JSON.stringify({ orderId: ORDER_ID }) };

    // Act
    const read = client.request('order', 'GET', `/orders/${ORDER_ID}`);

    // Assert
    await expect(read).rejects.toThrow(
      /GET \/orders\/\{id\} 200 body: \(root\) must have required property 'customerId'/,
    );
  });

  it('fails on a status the operation does not list', async () => {
    // Arrange
    answer = {
      status: 418,
      type: 'application/problem+json',
      body: '{"type":"about:blank","title":"x","status":418}',
    };

    // Act
    const read = client.request('inventory', 'GET', '/products');

    // Assert
    await expect(read).rejects.toThrow(/GET \/products 418: status not documented/);
  });
});
