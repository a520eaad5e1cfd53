import { randomUUID } from 'node:crypto';
import { TokenIssuer, testTokenIssuer } from '@saga/test-kit';
import { SagaHarness, type Caller, type HttpAnswer } from '@saga/testing';
import type { ServiceName } from '@saga/contracts';
import { SEED, SERVICES } from '../saga/saga-fixtures';

/** The callers of the matrix: nobody, the resource's owner, another customer, an admin. */
type Who = 'anonymous' | 'owner' | 'other customer' | 'admin';
const WHO: readonly Who[] = ['anonymous', 'owner', 'other customer', 'admin'];

const OWNER = 'rich';
const OTHER = 'poor';
const CALLERS: Readonly<Record<Who, Caller>> = {
  anonymous: 'anonymous',
  owner: { customer: OWNER },
  'other customer': { customer: OTHER },
  admin: { admin: 'ops' },
};
const callerOf = (who: Who): Caller => CALLERS[who];

/** One endpoint of the matrix: how to call it on a resource of {@link OWNER}, and what each caller gets. */
interface Row {
  readonly endpoint: string;
  readonly call: (as: Caller) => Promise<HttpAnswer>;
  readonly expected: Readonly<Record<Who, number>>;
}

/** Every business endpoint answers 401 to nobody; a customer reaches only their own; an admin, everything. */
const OWN_RESOURCE = { anonymous: 401, owner: 200, 'other customer': 404, admin: 200 } as const;
const ADMIN_ONLY = { anonymous: 401, owner: 403, 'other customer': 403, admin: 200 } as const;
const ANY_SIGNED_IN = { anonymous: 401, owner: 200, 'other customer': 200, admin: 200 } as const;
const OPEN = { anonymous: 200, owner: 200, 'other customer': 200, admin: 200 } as const;

/**
 * The authorization matrix (issue 10, docs/security.md): each caller × each endpoint of the four
 * services × their own or another's resource, against the real services, broker and databases. Then
 * the tokens that must not work, and the per-customer rate limit of `POST /orders`.
 */
describe('authorization matrix (JWT bearer tokens, roles customer and admin)', () => {
  let saga: SagaHarness;
  /** An order of OWNER, placed and settled before the matrix runs. */
  let orderId: string;

  beforeAll(async () => {
    saga = await SagaHarness.start('authz', SERVICES, SEED);
    orderId = (await saga.placeOrderAndWait({ customerId: OWNER, items: [{ sku: 'WIDGET', quantity: 1 }] }))
      .orderId;
  }, 120_000);

  afterAll(async () => {
    await saga?.destroy();
  });

  const get = (service: ServiceName, path: string) => (as: Caller) =>
    saga.request(service, 'GET', path, undefined, {}, as);
  const post = (service: ServiceName, path: string, body: unknown) => (as: Caller) =>
    saga.request(service, 'POST', path, body, {}, as);

  const rows = (): Row[] => [
    {
      endpoint: 'POST /orders for the owner',
      call: post('order', '/orders', { customerId: OWNER, items: [{ sku: 'WIDGET', quantity: 1 }] }),
      expected: { anonymous: 401, owner: 202, 'other customer': 403, admin: 202 },
    },
    {
      endpoint: 'POST /orders with no customerId (the token names the customer)',
      call: post('order', '/orders', { items: [{ sku: 'WIDGET', quantity: 1 }] }),
      expected: { anonymous: 401, owner: 202, 'other customer': 202, admin: 400 },
    },
    { endpoint: 'GET /orders/:id', call: get('order', `/orders/${orderId}`), expected: OWN_RESOURCE },
    {
      // Refused before any state check: the 404 hides the order from others; its owner gets 409 (it is
      // settled already, CONFIRMED orders are cancellable, so the owner's cancel is accepted first).
      endpoint: 'POST /orders/:id/cancel',
      call: post('order', `/orders/${orderId}/cancel`, {}),
      expected: { anonymous: 401, owner: 202, 'other customer': 404, admin: 409 },
    },
    {
      endpoint: 'GET /accounts/:customerId',
      call: get('payment', `/accounts/${OWNER}`),
      expected: OWN_RESOURCE,
    },
    { endpoint: 'GET /products', call: get('inventory', '/products'), expected: ANY_SIGNED_IN },
    { endpoint: 'GET /products/:sku', call: get('inventory', '/products/WIDGET'), expected: ANY_SIGNED_IN },
    {
      endpoint: 'GET /notifications?orderId=',
      call: get('notification', `/notifications?orderId=${orderId}`),
      expected: ADMIN_ONLY,
    },
    {
      endpoint: 'GET /notifications/recent',
      call: get('notification', '/notifications/recent'),
      expected: ADMIN_ONLY,
    },
    { endpoint: 'GET /dashboard/config', call: get('order', '/dashboard/config'), expected: ADMIN_ONLY },
    { endpoint: 'GET /dashboard/summary', call: get('order', '/dashboard/summary'), expected: ADMIN_ONLY },
    ...(['order', 'payment', 'inventory', 'notification'] as const).flatMap((service): Row[] => [
      {
        endpoint: `GET ${service} /admin/dead-letters`,
        call: get(service, '/admin/dead-letters'),
        expected: ADMIN_ONLY,
      },
      {
        // An admin's replay of a letter that is not there is a 404 that sends nothing: access, no effect.
        endpoint: `POST ${service} /admin/dead-letters/replay`,
        call: post(service, '/admin/dead-letters/replay', { ids: ['0:999999'] }),
        expected: { anonymous: 401, owner: 403, 'other customer': 403, admin: 404 },
      },
      { endpoint: `GET ${service} /health/live`, call: get(service, '/health/live'), expected: OPEN },
      { endpoint: `GET ${service} /health/ready`, call: get(service, '/health/ready'), expected: OPEN },
      { endpoint: `GET ${service} /metrics`, call: get(service, '/metrics'), expected: OPEN },
    ]),
    { endpoint: 'GET / (the dashboard page)', call: get('order', '/'), expected: OPEN },
  ];

  it('answers each caller on each endpoint as the matrix says, with problem+json refusals', async () => {
    // Act: callers in the order of WHO (the owner's cancel comes before the admin's).
    const seen: string[] = [];
    const wrong: string[] = [];
    for (const row of rows()) {
      for (const who of WHO) {
        const answer = await row.call(callerOf(who));
        const line = `${row.endpoint} as ${who}: ${answer.status} (expected ${row.expected[who]})`;
        seen.push(line);
        if (answer.status !== row.expected[who]) wrong.push(`${line} ${JSON.stringify(answer.body)}`);
        if (answer.status >= 400) {
          if (!answer.contentType.includes('application/problem+json'))
            wrong.push(`${line}: not problem+json`);
          const text = JSON.stringify(answer.body);
          if (/\bat \S+\.(ts|js):\d+|SELECT |INSERT |QueryFailedError/.test(text))
            wrong.push(`${line}: leaks ${text}`);
        }
      }
    }

    // Assert
    expect(wrong).toEqual([]);
    expect(seen.length).toBe(rows().length * WHO.length);
  }, 180_000);

  it('shows a customer only their own order and account, and an admin anyone’s', async () => {
    // Act
    const asOwner = await saga.request(
      'order',
      'GET',
      `/orders/${orderId}`,
      undefined,
      {},
      callerOf('owner'),
    );
    const account = await saga.request(
      'payment',
      'GET',
      `/accounts/${OTHER}`,
      undefined,
      {},
      callerOf('owner'),
    );

    // Assert: the same 404 as an order or account that does not exist, so nothing leaks.
    expect(asOwner.body).toMatchObject({ orderId, customerId: OWNER });
    expect(account).toMatchObject({ status: 404, body: { detail: `no account for customer ${OTHER}` } });
    const missing = await saga.request(
      'order',
      'GET',
      `/orders/${randomUUID()}`,
      undefined,
      {},
      callerOf('owner'),
    );
    const others = await saga.request(
      'order',
      'GET',
      `/orders/${orderId}`,
      undefined,
      {},
      callerOf('other customer'),
    );
    expect(others.status).toBe(missing.status);
    expect(others.body).toMatchObject({ title: (missing.body as { title: string }).title });
  });

  it('refuses tokens that are expired, foreign, for another audience, unsigned or roleless', async () => {
    // Arrange
    const issuer = testTokenIssuer();
    const subject = { customer: OWNER };
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: OWNER, roles: ['admin'], exp: Math.floor(Date.now() / 1000) + 600 }),
    ).toString('base64url')}.`;
    const cases: [string, string, number, RegExp][] = [
      ['expired', await issuer.mint(subject, { ttlSeconds: -60 }), 401, /expired/],
      ['signed by another key', await TokenIssuer.generate().mint(subject), 401, /signature/],
      ['for another audience', await issuer.mint(subject, { audience: 'someone-else' }), 401, /aud/],
      ['from another issuer', await issuer.mint(subject, { issuer: 'https://evil.example' }), 401, /iss/],
      ['unsigned (alg none)', unsigned, 401, /not a valid JWT|algorithm/],
      ['not a JWT at all', 'hello', 401, /not a valid JWT/],
      ['with no role of this platform', await issuer.mint(subject, { roles: ['superuser'] }), 403, /no role/],
    ];

    for (const [name, token, status, detail] of cases) {
      // Act
      const answer = await saga.request('order', 'GET', `/orders/${orderId}`, undefined, {}, { token });

      // Assert
      expect({ name, status: answer.status }).toEqual({ name, status });
      expect(answer.contentType).toContain('application/problem+json');
      expect((answer.body as { detail: string }).detail).toMatch(detail);
    }
    const malformed = await saga.request('order', 'GET', `/orders/${orderId}`, undefined, {
      authorization: 'Basic cmljaDpwYXNz',
    });
    expect(malformed.status).toBe(401);
  });

  it('asks for a bearer token in WWW-Authenticate when there is none', async () => {
    // Act
    const response = await fetch(`${saga.platform.url('order')}/orders/${orderId}`);

    // Assert
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await response.json()).toMatchObject({
      status: 401,
      detail: expect.stringMatching(/bearer token/),
    });
  });

  it('wrote no order for a refused POST /orders', async () => {
    // Arrange
    const before = (await saga.orderSideEffects()).orders;

    // Act
    const refused = await Promise.all([
      saga.placeOrder({ customerId: OWNER, items: [{ sku: 'WIDGET', quantity: 1 }] }, undefined, 'anonymous'),
      saga.placeOrder(
        { customerId: OWNER, items: [{ sku: 'WIDGET', quantity: 1 }] },
        undefined,
        callerOf('other customer'),
      ),
    ]);

    // Assert
    expect(refused.map((answer) => answer.status)).toEqual([401, 403]);
    expect((await saga.orderSideEffects()).orders).toBe(before);
  });
});

describe('rate limit of POST /orders (per customer)', () => {
  let saga: SagaHarness;

  beforeAll(async () => {
    saga = await SagaHarness.start('rate-limit', SERVICES, SEED, {
      env: { ORDER_RATE_LIMIT: '3', ORDER_RATE_LIMIT_WINDOW_MS: '600000' },
    });
  }, 120_000);

  afterAll(async () => {
    await saga?.destroy();
  });

  it('answers 429 with problem+json past the limit, writes nothing for it, and counts each customer apart (admins exempt)', async () => {
    // Arrange
    const order = (customerId: string) => ({ customerId, items: [{ sku: 'WIDGET', quantity: 1 }] });

    // Act
    const first = [];
    for (let i = 0; i < 3; i += 1) first.push((await saga.placeOrder(order(OWNER))).status);
    const fourth = await saga.placeOrder(order(OWNER));
    const otherCustomer = await saga.placeOrder(order(OTHER));
    const admin = await saga.placeOrder(order(OWNER), undefined, { admin: 'ops' });

    // Assert
    expect(first).toEqual([202, 202, 202]);
    expect(fourth).toMatchObject({
      status: 429,
      body: { status: 429, detail: expect.stringMatching(/at most 3 per customer/) },
    });
    expect(fourth.contentType).toContain('application/problem+json');
    expect(otherCustomer.status).toBe(202);
    expect(admin.status).toBe(202); // an operator is not held back
    expect((await saga.orderSideEffects()).orders).toBe(5);
  });
});
