import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { PaymentAuthorizedV1, type EventOf } from '@saga/contracts';
import { OnEvent, type SagaEventContext } from '@saga/messaging';
import { ReserveStockService } from '../reserve-stock/reserve-stock.service';

/** Payment's event inventory reacts to: an authorized payment reserves the stock, in the handler's transaction. */
@Controller()
export class PaymentEventsHandler {
  constructor(private readonly reserve: ReserveStockService) {}

  @OnEvent(PaymentAuthorizedV1)
  onPaymentAuthorized(
    @Payload() event: EventOf<typeof PaymentAuthorizedV1>,
    @Ctx() { manager }: SagaEventContext,
  ): Promise<void> {
    return this.reserve.handle(manager, event);
  }
}
