import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { firstValueFrom, from } from 'rxjs';
import { waitFor } from '@saga/common';
import { AdmissionGate } from './admission-gate';
import { AdmissionInterceptor, AtCapacityException } from './admission.interceptor';
import { checkBudget } from './request-budget';

const context = {} as ExecutionContext;
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
});
