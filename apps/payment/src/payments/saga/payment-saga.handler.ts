import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  OrderCancellationRequestedV1,
  OrderPlacedV1,
  StockReservationFailedV1,
  type EventOf,
} from '@saga/contracts';
import { OnEvent, type SagaEventContext } from '@saga/messaging';
import { AuthorizePaymentService } from '../authorize-payment/authorize-payment.service';
import { CancelPaymentService } from '../cancel-payment/cancel-payment.service';
import { CompensateStockFailureService } from '../compensate-stock-failure/compensate-stock-failure.service';

/** The saga events payment reacts to: one call into a use case each, in the handler's transaction. */
@Controller()
export class PaymentSagaHandler {
  constructor(
    private readonly authorize: AuthorizePaymentService,
    private readonly cancel: CancelPaymentService,
    private readonly compensateStockFailure: CompensateStockFailureService,
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

  @OnEvent(StockReservationFailedV1)
  onStockReservationFailed(
    @Payload() event: EventOf<typeof StockReservationFailedV1>,
    @Ctx() context: SagaEventContext,
  ) {
    return this.compensateStockFailure.handle(context.manager, event);
  }
}
