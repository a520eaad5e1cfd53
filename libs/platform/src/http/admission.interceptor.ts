import {
  Inject,
  Injectable,
  ServiceUnavailableException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Observable, from, throwError } from 'rxjs';
import { catchError, finalize, mergeMap } from 'rxjs/operators';
import { AdmissionGate, Overloaded } from './admission-gate';
import { arrivalOf } from './arrival';
import { OverBudget, withinBudget } from './request-budget';

/** A request the {@link AdmissionGate} refused: a 503 on purpose, not a failure (logged at debug). */
export class AtCapacityException extends ServiceUnavailableException {}

/** Injection token of the {@link AdmissionGate} that {@link AdmissionInterceptor} enforces. */
export const ADMISSION_GATE = Symbol('ADMISSION_GATE');

/**
 * Puts an endpoint behind the service's {@link AdmissionGate} (`@UseInterceptors(AdmissionInterceptor)`):
 * it runs once the gate admits it, and gives the slot back when it is answered. A refused request is a
 * 503 problem ({@link AtCapacityException}) whose `Retry-After` says when to come back: in seconds, as
 * RFC 9110 defines it, and to the millisecond in `Retry-After-Ms` and the body's `retryAfterMs`
 * (ProblemDetailsFilter sets the headers). Guards (authentication, the per-customer
 * rate limit) run before it, so a request they refuse never takes a slot.
 *
 * An admitted request runs within the gate's budget ({@link withinBudget}): one that reaches a
 * `checkBudget()` after it gets the same 503 ("over budget") — late work given up before it commits,
 * rather than an answer after the client stopped waiting.
 */
@Injectable()
export class AdmissionInterceptor implements NestInterceptor {
  constructor(@Inject(ADMISSION_GATE) private readonly gate: AdmissionGate) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const arrivedAt = arrivalOf(context.switchToHttp().getRequest());
    return from(this.admit(arrivedAt)).pipe(
      mergeMap((release) =>
        // Subscribing runs the handler: inside the budget, so its checkpoints see it.
        new Observable<unknown>((subscriber) =>
          withinBudget(this.gate.budgetMs, () => next.handle().subscribe(subscriber)),
        ).pipe(
          catchError((error: unknown) =>
            throwError(() => (error instanceof OverBudget ? atCapacity(this.gate.overBudget()) : error)),
          ),
          finalize(release),
        ),
      ),
    );
  }

  private async admit(arrivedAt: number | undefined): Promise<() => void> {
    try {
      return await this.gate.enter(arrivedAt);
    } catch (error) {
      if (!(error instanceof Overloaded)) throw error;
      throw atCapacity(error);
    }
  }
}

function atCapacity(refusal: Overloaded): AtCapacityException {
  return new AtCapacityException({
    error: 'Service Unavailable',
    message: `at capacity (${refusal.reason}): send the request again in ${refusal.retryAfterMs} ms`,
    retryAfterMs: refusal.retryAfterMs,
  });
}
