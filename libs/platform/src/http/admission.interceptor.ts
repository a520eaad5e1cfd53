import {
  Inject,
  Injectable,
  ServiceUnavailableException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Response } from 'express';
import { from, type Observable } from 'rxjs';
import { finalize, mergeMap } from 'rxjs/operators';
import { AdmissionGate, Overloaded } from './admission-gate';

/** Injection token of the {@link AdmissionGate} that {@link AdmissionInterceptor} enforces. */
export const ADMISSION_GATE = Symbol('ADMISSION_GATE');

/**
 * Puts an endpoint behind the service's {@link AdmissionGate} (`@UseInterceptors(AdmissionInterceptor)`):
 * it runs once the gate admits it, and gives the slot back when it is answered. A refused request is a
 * 503 problem whose `Retry-After` says when to come back: in seconds, as RFC 9110 defines it, and to the
 * millisecond in `Retry-After-Ms` and the body's `retryAfterMs`. Guards (authentication, the per-customer
 * rate limit) run before it, so a request they refuse never takes a slot.
 */
@Injectable()
export class AdmissionInterceptor implements NestInterceptor {
  constructor(@Inject(ADMISSION_GATE) private readonly gate: AdmissionGate) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const response = context.switchToHttp().getResponse<Response>();
    return from(this.admit(response)).pipe(mergeMap((release) => next.handle().pipe(finalize(release))));
  }

  private async admit(response: Response): Promise<() => void> {
    try {
      return await this.gate.enter();
    } catch (error) {
      if (!(error instanceof Overloaded)) throw error;
      response.setHeader('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
      response.setHeader('Retry-After-Ms', String(error.retryAfterMs));
      throw new ServiceUnavailableException({
        message: `at capacity (${error.reason}): send the request again in ${error.retryAfterMs} ms`,
        retryAfterMs: error.retryAfterMs,
      });
    }
  }
}
