import fc from 'fast-check';
import { SERVICE_NAMES } from '@saga/contracts';
import { SagaHarness } from '@saga/testing';
import { SEED, SERVICES } from '../saga/saga-fixtures';
import { badIdempotencyKeys, nearValidOrders, randomJsonBodies, rawBodies } from './http-fuzz-bodies';
import { expectRefused, send } from './http-fuzz-client';
import { badPaths } from './http-fuzz-paths';
import { LABELS, VALID_ORDER, type FuzzRequest } from './http-fuzz-requests';

/** Replays a run: fast-check prints the seed (and the shrink path) with every counterexample. */
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_260_101);

/**
 * Seeded fuzz of the public HTTP API: random and boundary requests, every one invalid by construction,
 * must each be refused with a 4xx problem+json — never a 5xx, a hang or a leak — and none may write or
 * publish anything. `FUZZ_SEED=<n>` replays a run.
 */
describe('HTTP API fuzz (DESIGN.md: errors as problem+json, nothing changed)', () => {
  let saga: SagaHarness;
  const sent: Partial<Record<FuzzRequest['label'], number>> = {};

  beforeAll(async () => {
    saga = await SagaHarness.start('http-fuzz', SERVICES, SEED);
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  /** The kinds of bad request refused with one status only: a body that is not JSON is a 415. */
  const EXACTLY: Partial<Record<FuzzRequest['label'], number>> = {
    'wrong content-type': 415,
    'no content-type': 415,
  };

  /** Runs `numRuns` requests of `requests`, each of which must be refused. */
  const refusesAll = (requests: fc.Arbitrary<FuzzRequest>, numRuns: number) =>
    fc.assert(
      fc.asyncProperty(requests, async (request) => {
        sent[request.label] = (sent[request.label] ?? 0) + 1;
        const answer = await send(saga, request);
        expectRefused(answer);
        if (EXACTLY[request.label]) expect(answer.status).toBe(EXACTLY[request.label]);
      }),
      { seed: FUZZ_SEED, numRuns },
    );

  it('refuses random JSON values of every shape as an order', async () => {
    await refusesAll(randomJsonBodies, 40);
  });

  it('refuses near-valid orders with one field wrong (boundaries, unicode, nesting, extra fields)', async () => {
    await refusesAll(nearValidOrders, 90);
  });

  it('refuses bodies that are not JSON, too large, or of another content type or encoding', async () => {
    await refusesAll(rawBodies, 60);
  });

  it('refuses a valid order with a malformed Idempotency-Key', async () => {
    await refusesAll(badIdempotencyKeys, 30);
  });

  it('answers unknown and malformed ids of every service with a problem', async () => {
    await refusesAll(badPaths, 90);
  });

  it('sent every kind of bad request', () => {
    expect(Object.values(sent).reduce((sum, n) => sum + n, 0)).toBe(310);
    expect(Object.keys(sent).sort()).toEqual([...LABELS].sort());
  });

  it('wrote no order and published no event, and every service still works', async () => {
    // Act
    const effects = await saga.orderSideEffects();
    const ready = await Promise.all(
      SERVICE_NAMES.map(async (service) => ({
        service,
        status: (await saga.request(service, 'GET', '/health/ready')).status,
      })),
    );
    const settled = await saga.placeOrderAndWait(VALID_ORDER);

    // Assert
    expect(effects).toEqual({ orders: 0, outboxRows: 0, orderEvents: 0 });
    expect(ready).toEqual(SERVICE_NAMES.map((service) => ({ service, status: 200 })));
    expect(settled.status).toBe('CONFIRMED');
  });
});
