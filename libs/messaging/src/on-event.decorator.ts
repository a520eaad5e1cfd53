import { EventPattern } from '@nestjs/microservices';
import type { EventDefinition } from '@saga/contracts';

/**
 * Marks a controller method as the handler of one event version: `@OnEvent(PaymentAuthorizedV1)`.
 * Records are dispatched by their `ce_type` (after upcasting), so the handler never sees a topic name
 * or an unvalidated payload. It is called as `(event: EventEnvelope<Data>, context: SagaEventContext)`.
 */
export const OnEvent = (definition: EventDefinition): MethodDecorator => EventPattern(definition.type);
