import { Catch, type ExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Hands a handler's error to the {@link SagaKafkaServer} unchanged. Without it Nest's default RPC
 * filter turns every error into `{ status: 'error', message: 'Internal server error' }`, and the
 * server could tell neither a {@link NonRetriableError} nor the message to write into the dead letter.
 * Register it on the microservice (`app.useGlobalFilters(new PassErrorsThroughFilter())`); the
 * platform's problem+json filter does the same for services, which inherit the HTTP app's filters.
 */
@Catch()
export class PassErrorsThroughFilter implements ExceptionFilter {
  catch(error: unknown): Observable<never> {
    return throwError(() => error);
  }
}
