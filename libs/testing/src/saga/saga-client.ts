import type { ServiceName } from '@saga/contracts';

/** An HTTP answer of a service: status, content type and the parsed JSON body. */
export interface HttpAnswer<Body = unknown> {
  readonly status: number;
  readonly contentType: string;
  readonly body: Body;
}

/** `GET /orders/:id` as the tests read it. */
export interface OrderView {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: 'PENDING' | 'CONFIRMED' | 'CANCELLING' | 'CANCELLED';
  readonly totalCents: number;
  readonly currency: string;
  readonly items: { sku: string; quantity: number; unitPriceCents: number }[];
  readonly reason?: string;
  readonly timeline: { step: string; at: string; event?: { type: string; id: string } }[];
  /** Present while unsettled past `SAGA_STUCK_AFTER_MS`. */
  readonly stuck?: { since: string; lastStep: string; deadlineMs: number };
}

/** An order request: `POST /orders` body. */
export interface OrderRequest {
  readonly customerId: string;
  readonly items: readonly { sku: string; quantity: number }[];
}

/** Calls a service's HTTP API by name (the URL changes when a service restarts on a new port). */
export class SagaClient {
  constructor(private readonly url: (service: ServiceName) => string) {}

  /** Sends a request; `body` is sent as JSON unless it is already a string (to send malformed JSON). */
  async request<Body = unknown>(
    service: ServiceName,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<Body>> {
    const response = await fetch(`${this.url(service)}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: the raw text is the body
    }
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: parsed as Body,
    };
  }

  /** `POST /orders`; `order` may be anything (a string is sent as is), to test bad input too. */
  placeOrder(order: OrderRequest | object | string, idempotencyKey?: string) {
    const headers: Record<string, string> = idempotencyKey ? { 'idempotency-key': idempotencyKey } : {};
    return this.request<{ orderId: string; status: string }>('order', 'POST', '/orders', order, headers);
  }

  cancelOrder(orderId: string, reason?: string) {
    return this.request<{ orderId: string; status: string }>(
      'order',
      'POST',
      `/orders/${orderId}/cancel`,
      reason ? { reason } : {},
    );
  }

  async getOrder(orderId: string): Promise<OrderView> {
    const answer = await this.request<OrderView>('order', 'GET', `/orders/${orderId}`);
    if (answer.status !== 200)
      throw new Error(`GET /orders/${orderId}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async getAccount(customerId: string) {
    return (
      await this.request<{ customerId: string; balanceCents: number; currency: string }>(
        'payment',
        'GET',
        `/accounts/${customerId}`,
      )
    ).body;
  }

  async getProduct(sku: string) {
    return (
      await this.request<{ sku: string; available: number; reserved: number; priceCents: number }>(
        'inventory',
        'GET',
        `/products/${sku}`,
      )
    ).body;
  }
}
