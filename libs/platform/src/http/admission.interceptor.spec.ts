import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { firstValueFrom, from } from 'rxjs';
import { waitFor } from '@saga/common';
import type { NextFunction, Request, Response } from 'express';
import { AdmissionGate } from './admission-gate';
import { AdmissionInterceptor, AtCapacityException } from './admission.interceptor';
import { stampArrival } from './arrival';
import { checkBudget } from './request-budget';

/** An HTTP context whose request is `request` (a plain object unless given). */
const httpContext = (request: object = {}) =>
  ({ switchToHttp: () => ({ getRequest: () => request }) }) as unknown as ExecutionContext;
const context = httpContext();
const handler = (work: () => Promise<unknown>): CallHandler => ({ handle: () => from(work()) });

describe('AdmissionInterceptor', () => {
  it('runs the handler within the gate budget: a checkpoint past it is a 503 "over budget", and the slot is given back', async () => {
    // Arrange
    const gate = new AdmissionGate({ concurrency: 1, queue: 0, maxWaitMs: 0, budgetMs: 1 });
    const interceptor = new AdmissionInterceptor(gate);
    const admittedAt = performance.now();
    let committed = false;

    // Act: the handler works past its 1 ms, then reaches its checkpoint before "committing"
    const answer = await firstValueFrom(
      interceptor.intercept(
        context,
        handler(async () => {
          await waitFor(() => Promise.resolve(performance.now() - admittedAt > 5 ? true : undefined), {
            timeoutMs: 1_000,
            intervalMs: 1,
            what: 'the budget to pass',
          });
          checkBudget();
          committed = true;
        }),
      ),
    ).catch((error: unknown) => error);

    // Assert
    expect(committed).toBe(false);
    expect(answer).toBeInstanceOf(AtCapacityException);
    const body = (answer as AtCapacityException).getResponse() as { message: string; retryAfterMs: number };
    expect(body.message).toMatch(/^at capacity \(over budget\): send the request again in \d+ ms$/);
    expect(body.retryAfterMs).toBeGreaterThanOrEqual(750);
    expect(gate.stats()).toMatchObject({ active: 0, refused: { 'over budget': 1 } });
  });

  it('passes the answer and any other error through untouched', async () => {
    // Arrange
    const gate = new AdmissionGate({ concurrency: 1, queue: 0, maxWaitMs: 0, budgetMs: 60_000 });
    const interceptor = new AdmissionInterceptor(gate);
    const failure = new Error('the handler failed');

    // Act
    const answer = await firstValueFrom(
      interceptor.intercept(
        context,
        handler(() => {
          checkBudget();
          return Promise.resolve('placed');
        }),
      ),
    );
    const failed = await firstValueFrom(
      interceptor.intercept(
        context,
        handler(() => Promise.reject(failure)),
      ),
    ).catch((error: unknown) => error);

    // Assert
    expect(answer).toBe('placed');
    expect(failed).toBe(failure);
    expect(gate.stats()).toMatchObject({ active: 0, admitted: 2, refused: {} });
  });

  it('counts a request from its arrival at the service, stamped before the guards, not from the gate', async () => {
    // Arrange: a gate that remembers what it was told
    const gate = new AdmissionGate({ concurrency: 1, queue: 0, maxWaitMs: 0 });
    const enter = jest.spyOn(gate, 'enter');
    const request = {};
    stampArrival(request as Request, {} as Response, (() => undefined) as NextFunction);
    const stamped = performance.now();

    // Act
    await firstValueFrom(
      new AdmissionInterceptor(gate).intercept(
        httpContext(request),
        handler(() => Promise.resolve('ok')),
      ),
    );

    // Assert
    const [arrivedAt] = enter.mock.calls[0];
    expect(arrivedAt).toBeLessThanOrEqual(stamped);
    expect(arrivedAt).toBeGreaterThan(stamped - 1_000);
  });
});
