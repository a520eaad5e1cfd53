import { waitFor } from '@saga/common';
import { testTokenIssuer } from '@saga/test-kit';
import { SagaHarness } from '@saga/testing';
import { SEED, SERVICES } from './saga-fixtures';

const ORDER = { customerId: 'rich', items: [{ sku: 'WIDGET', quantity: 1 }] };

/** `POST /orders` as an admin, with what a client needs of a refusal: its headers and problem body. */
async function placeRaw(saga: SagaHarness, token: string, key?: string) {
  const response = await fetch(`${saga.platform.url('order')}/orders`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body: JSON.stringify(ORDER),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    retryAfter: response.headers.get('retry-after'),
    retryAfterMs: response.headers.get('retry-after-ms'),
    body: (await response.json()) as { orderId?: string; detail?: string; retryAfterMs?: number },
  };
}

const countOrders = async (saga: SagaHarness) =>
  Number((await saga.query<{ count: string }>('order', 'SELECT count(*) FROM orders'))[0].count);

/**
 * Overload is answered, not timed out (issue 18): past its capacity `POST /orders` says "not now" at once
 * — 503 problem+json with `Retry-After` (seconds) and `Retry-After-Ms` — and creates nothing.
 */
describe('POST /orders past capacity', () => {
  describe("while the saga's backlog is full (ORDER_MAX_UNSETTLED)", () => {
    let saga: SagaHarness;

    beforeAll(async () => {
      saga = await SagaHarness.start('overload-backlog', SERVICES, SEED, {
        env: { ORDER_MAX_UNSETTLED: '2' },
      });
    });

    afterAll(async () => {
      await saga?.destroy();
    });

    it('refuses new orders with 503 and Retry-After, changes nothing, and admits them again once the backlog drains', async () => {
      // Arrange: payment down, so two orders stay unsettled
      const token = await testTokenIssuer().mint({ admin: 'overload-test' });
      await saga.platform.stopService('payment');
      const first = await placeRaw(saga, token);
      const second = await placeRaw(saga, token);

      // Act: the backlog is counted every 100 ms; until the gate sees it, the key's one order is placed
      const refused = await waitFor(
        async () => {
          const answer = await placeRaw(saga, token, 'refused-while-full');
          return answer.status === 503 ? answer : undefined;
        },
        { timeoutMs: 10_000, what: 'POST /orders to answer 503 with two orders unsettled' },
      );
      const ordersAtRefusal = await countOrders(saga);
      const moreRefusals = await Promise.all([1, 2, 3, 4, 5].map(() => placeRaw(saga, token)));
      const ordersAfterRefusals = await countOrders(saga);
      await saga.platform.startService('payment');
      const placed = await saga.query<{ id: string }>('order', 'SELECT id FROM orders');
      await Promise.all(placed.map(({ id }) => saga.waitForSettled(id)));
      const admitted = await waitFor(
        async () => {
          const answer = await placeRaw(saga, token, 'admitted-after-drain');
          return answer.status === 202 ? answer : undefined;
        },
        { timeoutMs: 10_000, what: 'POST /orders to be admitted again once the orders settled' },
      );

      // Assert
      expect([first.status, second.status]).toEqual([202, 202]);
      expect(refused.contentType).toContain('application/problem+json');
      expect(Number(refused.retryAfterMs)).toBeGreaterThanOrEqual(250);
      expect(refused.retryAfter).toBe(String(Math.ceil(Number(refused.retryAfterMs) / 1000)));
      expect(refused.body).toMatchObject({ status: 503, retryAfterMs: Number(refused.retryAfterMs) });
      expect(refused.body.detail).toMatch(/orders not settled yet/);
      expect(moreRefusals.map((answer) => answer.status)).toEqual([503, 503, 503, 503, 503]);
      expect(ordersAfterRefusals).toBe(ordersAtRefusal); // a refused order is not created
      expect(admitted.body.orderId).toEqual(expect.any(String));
    });
  });

  describe('with more requests at once than it works on (ORDER_ADMISSION_CONCURRENCY)', () => {
    let saga: SagaHarness;

    beforeAll(async () => {
      saga = await SagaHarness.start('overload-burst', SERVICES, SEED, {
        env: {
          ORDER_ADMISSION_CONCURRENCY: '1',
          ORDER_ADMISSION_QUEUE: '0',
          ORDER_ADMISSION_MAX_WAIT_MS: '0',
        },
      });
    });

    afterAll(async () => {
      await saga?.destroy();
    });

    it('answers every request of a burst at once, 202 or 503, and creates exactly the orders it accepted', async () => {
      // Arrange
      const token = await testTokenIssuer().mint({ admin: 'overload-test' });

      // Act: 40 requests at once against one slot and no queue
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => placeRaw(saga, token, `burst-${i}`)),
      );

      // Assert
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status !== 202 && status !== 503)).toEqual([]);
      expect(statuses).toContain(503);
      expect(statuses).toContain(202);
      expect(
        answers.filter((a) => a.status === 503).every((a) => a.body.detail?.includes('queue full')),
      ).toBe(true);
      expect(await countOrders(saga)).toBe(statuses.filter((status) => status === 202).length);
    });
  });

  describe('when a request outlives its budget (ORDER_ADMISSION_BUDGET_MS)', () => {
    let saga: SagaHarness;

    beforeAll(async () => {
      saga = await SagaHarness.start('overload-budget', SERVICES, SEED, {
        env: { ORDER_ADMISSION_BUDGET_MS: '1' },
      });
    });

    afterAll(async () => {
      await saga?.destroy();
    });

    it('gives up before it commits: 503 "over budget" with Retry-After, and no order', async () => {
      // Arrange
      const token = await testTokenIssuer().mint({ admin: 'overload-test' });

      // Act: no order is written within a millisecond
      const answers = await Promise.all([1, 2, 3].map((i) => placeRaw(saga, token, `over-budget-${i}`)));

      // Assert
      expect(answers.map((answer) => answer.status)).toEqual([503, 503, 503]);
      for (const answer of answers) {
        expect(answer.contentType).toContain('application/problem+json');
        expect(answer.body.detail).toMatch(/over budget/);
        expect(Number(answer.retryAfterMs)).toBeGreaterThanOrEqual(750);
      }
      expect(await countOrders(saga)).toBe(0);
    });
  });

  describe('while the admitted answers are slower than the target (ORDER_ADMISSION_TARGET_MS)', () => {
    let saga: SagaHarness;

    beforeAll(async () => {
      // A target of 1 ms: every real answer is slower, so the gate's share of refusals climbs.
      saga = await SagaHarness.start('overload-target', SERVICES, SEED, {
        env: { ORDER_ADMISSION_TARGET_MS: '1' },
      });
    });

    afterAll(async () => {
      await saga?.destroy();
    });

    it('refuses a share of new orders at once: 503 "answers slower than target" with a short hint, and creates nothing', async () => {
      // Arrange
      const token = await testTokenIssuer().mint({ admin: 'overload-test' });
      const answers: Awaited<ReturnType<typeof placeRaw>>[] = [];

      // Act: orders one after another until the gate has refused three (at most 200 of them, or 30 s)
      const deadline = Date.now() + 30_000;
      const refusals = () =>
        answers.filter((answer) => /answers slower than target/.test(answer.body.detail ?? '')).length;
      while (refusals() < 3 && answers.length < 200 && Date.now() < deadline) {
        answers.push(await placeRaw(saga, token, `slow-${answers.length}`));
      }

      // Assert
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status !== 202 && status !== 503)).toEqual([]);
      const refused = answers.filter((answer) => /answers slower than target/.test(answer.body.detail ?? ''));
      expect(refused).toHaveLength(3);
      for (const answer of refused) {
        expect(answer.status).toBe(503);
        expect(answer.contentType).toContain('application/problem+json');
        expect(Number(answer.retryAfterMs)).toBeGreaterThanOrEqual(250);
        expect(Number(answer.retryAfterMs)).toBeLessThanOrEqual(1_250);
      }
      expect(await countOrders(saga)).toBe(answers.filter((answer) => answer.status === 202).length);
    });
  });
});
