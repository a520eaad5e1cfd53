import { OpenApiResponseValidator, type ObservedResponse } from './openapi-validator';

const ORDER_ID = '7d1f0c8e-8f5a-4c7e-9b8a-2f1d3c4b5a69';
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
const PROBLEM_TYPE = { 'content-type': 'application/problem+json; charset=utf-8' };

/** A confirmed order as `GET /orders/:id` answers it. */
const order = {
  orderId: ORDER_ID,
  customerId: 'rich',
  status: 'CONFIRMED',
  totalCents: 1000,
  currency: 'EUR',
  items: [{ sku: 'WIDGET', quantity: 1, unitPriceCents: 1000 }],
  timeline: [{ step: 'PLACED', at: '2026-01-01T00:00:00.000Z' }],
};

const answer = (overrides: Partial<ObservedResponse>): ObservedResponse => ({
  method: 'GET',
  path: `/orders/${ORDER_ID}`,
  status: 200,
  headers: JSON_TYPE,
  body: order,
  ...overrides,
});

describe("OpenApiResponseValidator (the order service's checked-in document)", () => {
  const validator = OpenApiResponseValidator.forService('order');

  it('accepts an answer that agrees with the document', () => {
    expect(validator.problems(answer({}))).toEqual([]);
    expect(
      validator.problems(
        answer({
          status: 404,
          headers: PROBLEM_TYPE,
          body: { type: 'about:blank', title: 'Not Found', status: 404 },
        }),
      ),
    ).toEqual([]);
  });

  it('refuses a body that is not the documented schema: a missing field, an unknown one, a bad value', () => {
    // Arrange
    const { totalCents: _totalCents, ...withoutTotal } = order;

    // Act
    const problems = [
      validator.problems(answer({ body: withoutTotal })),
      validator.problems(answer({ body: { ...order, discount: 5 } })),
      validator.problems(answer({ body: { ...order, status: 'SHIPPED' } })),
    ];

    // Assert
    expect(problems[0]).toEqual([
      `GET /orders/{id} 200 body: (root) must have required property 'totalCents'`,
    ]);
    expect(problems[1]).toEqual([`GET /orders/{id} 200 body: (root) must NOT have additional properties`]);
    expect(problems[2].join()).toMatch(/\/status must be equal to one of the allowed values/);
  });

  it('refuses a status the operation does not document', () => {
    expect(validator.problems(answer({ status: 418, headers: PROBLEM_TYPE }))).toEqual([
      expect.stringMatching(
        /^GET \/orders\/\{id\} 418: status not documented \(documented: 200, 400, 401, 403, 404, 500, 503\)$/,
      ),
    ]);
  });

  it('refuses an operation the document does not have', () => {
    expect(validator.problems(answer({ method: 'DELETE' }))).toEqual([
      `DELETE /orders/${ORDER_ID} is not in the document`,
    ]);
    expect(validator.problems(answer({ path: '/orderz' }))).toEqual(['GET /orderz is not in the document']);
  });

  it('refuses a content type the response does not list (an error must be problem+json)', () => {
    expect(
      validator.problems(
        answer({ status: 404, body: { type: 'about:blank', title: 'Not Found', status: 404 } }),
      ),
    ).toEqual([
      'GET /orders/{id} 404: content type "application/json" is not one of application/problem+json',
    ]);
  });

  it('refuses an answer without a required header, or with a bad one', () => {
    // Arrange
    const placed = {
      method: 'POST',
      path: '/orders',
      status: 202,
      body: { orderId: ORDER_ID, status: 'PENDING' },
    };

    // Act
    const without = validator.problems({ ...placed, headers: JSON_TYPE });
    const overloaded = validator.problems({
      method: 'POST',
      path: '/orders',
      status: 503,
      headers: { ...PROBLEM_TYPE, 'Retry-After': 'soon', 'Retry-After-Ms': '1500' },
      body: { type: 'about:blank', title: 'Service Unavailable', status: 503 },
    });

    // Assert
    expect(without).toEqual(['POST /orders 202: the required header Location is missing']);
    expect(overloaded).toEqual([
      expect.stringMatching(/^POST \/orders 503 header Retry-After: \(root\) must match pattern/),
    ]);
  });

  it('throws from check, saying how to fix it, and passes an answer that agrees', () => {
    expect(() => validator.check(answer({ body: {} }))).toThrow(
      /disagrees with the OpenAPI document.*npm run openapi:generate/s,
    );
    expect(() => validator.check(answer({}))).not.toThrow();
  });
});
