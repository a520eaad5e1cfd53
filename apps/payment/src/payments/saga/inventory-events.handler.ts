import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { StockReservationFailedV1, type EventOf } from '@saga/contracts';
import { OnEvent, type SagaEventContext } from '@saga/messaging';
import { CompensateStockFailureService } from '../compensate-stock-failure/compensate-stock-failure.service';

/** Inventory's event payment reacts to: a failed reservation refunds the payment, in the handler's transaction. */
@Controller()
export class InventoryEventsHandler {
  constructor(private readonly compensateStockFailure: CompensateStockFailureService) {}

  @OnEvent(StockReservationFailedV1)
  onStockReservationFailed(
    @Payload() event: EventOf<typeof StockReservationFailedV1>,
    @Ctx() context: SagaEventContext,
  ) {
    return this.compensateStockFailure.handle(context.manager, event);
  }
}
