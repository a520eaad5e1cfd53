import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { OrderCancellationRequestedV1, PaymentAuthorizedV1, type EventOf } from '@saga/contracts';
import { OnEvent, type SagaEventContext } from '@saga/messaging';
import { ReleaseStockService } from '../release-stock/release-stock.service';
import { ReserveStockService } from '../reserve-stock/reserve-stock.service';

/** Inventory's steps of the saga: one call into a use case each, in the handler's transaction. */
@Controller()
export class InventorySagaHandler {
  constructor(
    private readonly reserve: ReserveStockService,
    private readonly release: ReleaseStockService,
  ) {}

  @OnEvent(PaymentAuthorizedV1)
  onPaymentAuthorized(
    @Payload() event: EventOf<typeof PaymentAuthorizedV1>,
    @Ctx() { manager }: SagaEventContext,
  ): Promise<void> {
    return this.reserve.handle(manager, event);
  }

  @OnEvent(OrderCancellationRequestedV1)
  onOrderCancellationRequested(
    @Payload() event: EventOf<typeof OrderCancellationRequestedV1>,
    @Ctx() { manager }: SagaEventContext,
  ): Promise<void> {
    return this.release.handle(manager, event);
  }
}
