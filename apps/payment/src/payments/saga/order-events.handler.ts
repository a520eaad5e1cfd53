import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { OrderCancellationRequestedV1, OrderPlacedV1, type EventOf } from '@saga/contracts';
import { OnEvent, type SagaEventContext } from '@saga/messaging';
import { AuthorizePaymentService } from '../authorize-payment/authorize-payment.service';
import { CancelPaymentService } from '../cancel-payment/cancel-payment.service';

/** The order's events payment reacts to: one call into a use case each, in the handler's transaction. */
@Controller()
export class OrderEventsHandler {
  constructor(
    private readonly authorize: AuthorizePaymentService,
    private readonly cancel: CancelPaymentService,
  ) {}

  @OnEvent(OrderPlacedV1)
  onOrderPlaced(@Payload() event: EventOf<typeof OrderPlacedV1>, @Ctx() context: SagaEventContext) {
    return this.authorize.handle(context.manager, event);
  }

  @OnEvent(OrderCancellationRequestedV1)
  onOrderCancellationRequested(
    @Payload() event: EventOf<typeof OrderCancellationRequestedV1>,
    @Ctx() context: SagaEventContext,
  ) {
    return this.cancel.handle(context.manager, event);
  }
}
