import { EventPattern } from '@nestjs/microservices';
import type { EventDefinition } from '@saga/contracts';

/**
 * Marks a controller method as the handler of one event version: `@OnEvent(PaymentAuthorizedV1)`.
 * Records are dispatched by their `ce_type` (after upcasting), so the handler never sees a topic name
 * or an unvalidated payload. Declare its parameters as Nest does for message handlers:
 * `onPaymentAuthorized(@Payload() event: EventEnvelope<Data>, @Ctx() context: SagaEventContext)`.
 */
export const OnEvent = (definition: EventDefinition): MethodDecorator => EventPattern(definition.type);
