import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { PaymentAuthorizedV1, PaymentFailedV1, PaymentRefundedV1, type EventOf } from '@saga/contracts';
import { OnEvent, type SagaEventContext } from '@saga/messaging';
import { OrderSagaService } from './order-saga.service';

/** The payment service's reports: one call into the saga each. */
@Controller()
export class PaymentEventsHandler {
  constructor(private readonly saga: OrderSagaService) {}

  @OnEvent(PaymentAuthorizedV1)
  onPaymentAuthorized(
    @Payload() event: EventOf<typeof PaymentAuthorizedV1>,
    @Ctx() { manager }: SagaEventContext,
  ) {
    return this.saga.record(manager, event, {
      step: 'PAYMENT_AUTHORIZED',
      changes: { paymentStatus: 'AUTHORIZED' },
    });
  }

  @OnEvent(PaymentFailedV1)
  onPaymentFailed(@Payload() event: EventOf<typeof PaymentFailedV1>, @Ctx() { manager }: SagaEventContext) {
    return this.saga.record(manager, event, {
      step: 'PAYMENT_FAILED',
      changes: { paymentStatus: 'FAILED', reason: `payment declined: ${event.data.reason}` },
    });
  }

  @OnEvent(PaymentRefundedV1)
  onPaymentRefunded(
    @Payload() event: EventOf<typeof PaymentRefundedV1>,
    @Ctx() { manager }: SagaEventContext,
  ) {
    return this.saga.record(manager, event, {
      step: 'PAYMENT_REFUNDED',
      // The refund's reason is the cause (the stock failure, or the cancellation), whichever report comes first.
      changes: { paymentStatus: 'REFUNDED', reason: event.data.reason },
    });
  }
}
