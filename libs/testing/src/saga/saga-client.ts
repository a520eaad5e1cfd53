import { retryAfterMs } from '@saga/common';
import type { ServiceName } from '@saga/contracts';
import {
  OpenApiResponseValidator,
  testTokenIssuer,
  type TokenIssuer,
  type TokenSubject,
} from '@saga/test-kit';

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

/**
 * Whom a request is sent as: a customer or admin with a token of the client's issuer, a given
 * `Authorization` header value (`{ token }`), or nobody (no header).
 */
export type Caller = TokenSubject | { readonly token: string } | 'anonymous';

/** How long a minted token (valid 1 h) is reused. */
const TOKEN_REUSE_MS = 30 * 60_000;
/** How many times one request is sent again after a 503 "not now" before its 503 is the answer. */
const MAX_DEFERRALS = 50;

/** The tests' operator: `sub` `ops`, role admin. */
export const ADMIN: Caller = { admin: 'ops' };

/** An order request: `POST /orders` body (sent with the customer's own token). */
export interface OrderRequest {
  readonly customerId: string;
  readonly items: readonly { sku: string; quantity: number }[];
}

/**
 * Calls a service's HTTP API by name (the URL changes when a service restarts on a new port), with a
 * bearer token of `issuer` (the process's test issuer, which every platform copy trusts). Every answer
 * is checked against the service's OpenAPI document (docs/openapi/): one that disagrees with it throws,
 * so each e2e test that calls the API also tests the document.
 */
export class SagaClient {
  private readonly tokens = new Map<string, { token: Promise<string>; mintedAt: number }>();
  private readonly validators = new Map<ServiceName, OpenApiResponseValidator>();
  /** Requests answered 503 "not now" and sent again after their Retry-After. */
  deferred = 0;

  constructor(
    private readonly url: (service: ServiceName) => string,
    private readonly issuer: TokenIssuer = testTokenIssuer(),
  ) {}

  /** A token for `subject`, reused for half its hour of life, then minted anew (long runs outlive one). */
  token(subject: TokenSubject): Promise<string> {
    const key = JSON.stringify(subject);
    const cached = this.tokens.get(key);
    if (cached && Date.now() - cached.mintedAt < TOKEN_REUSE_MS) return cached.token;
    const token = this.issuer.mint(subject);
    this.tokens.set(key, { token, mintedAt: Date.now() });
    return token;
  }

  /**
   * Sends a request as `as` (an admin by default); `body` is sent as JSON unless it is already a string
   * (to send malformed JSON).
   */
  async request<Body = unknown>(
    service: ServiceName,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    as: Caller = ADMIN,
  ): Promise<HttpAnswer<Body>> {
    const sent: Record<string, string> = { ...headers };
    if (as !== 'anonymous' && sent.authorization === undefined) {
      sent.authorization = `Bearer ${'token' in as ? as.token : await this.token(as)}`;
    }
    // As a well-behaved client does: a 503 "not now" from the order service's admission gate (the tests
    // send bursts of a hundred orders at once) is sent again once its Retry-After(-Ms) has passed. Such a
    // 503 created nothing. The overload tests look at the 503 itself, with their own requests.
    let response: Response;
    for (let deferrals = 0; ; deferrals += 1) {
      response = await fetch(`${this.url(service)}${path}`, {
        method,
        headers: body === undefined ? sent : { 'content-type': 'application/json', ...sent },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const wait = retryAfterMs(response.headers);
      if (response.status !== 503 || wait === undefined || deferrals >= MAX_DEFERRALS) break;
      this.deferred += 1;
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: the raw text is the body
    }
    this.validator(service).check({
      method,
      path,
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: parsed,
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: parsed as Body,
    };
  }

  /** The checker of `service`'s answers, read from its document once. */
  private validator(service: ServiceName): OpenApiResponseValidator {
    let validator = this.validators.get(service);
    if (!validator) {
      validator = OpenApiResponseValidator.forService(service);
      this.validators.set(service, validator);
    }
    return validator;
  }

  /**
   * `POST /orders` as the order's customer (as an admin when `order` names none); `order` may be anything
   * (a string is sent as is), to test bad input too.
   */
  placeOrder(order: OrderRequest | object | string, idempotencyKey?: string, as?: Caller) {
    const headers: Record<string, string> = idempotencyKey ? { 'idempotency-key': idempotencyKey } : {};
    const customer = (order as { customerId?: unknown }).customerId;
    const caller = as ?? (typeof customer === 'string' && customer ? { customer } : ADMIN);
    return this.request<{ orderId: string; status: string }>(
      'order',
      'POST',
      '/orders',
      order,
      headers,
      caller,
    );
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
        undefined,
        {},
        { customer: customerId },
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
