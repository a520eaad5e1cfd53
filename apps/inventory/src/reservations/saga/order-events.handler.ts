import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { OrderCancellationRequestedV1, type EventOf } from '@saga/contracts';
import { OnEvent, type SagaEventContext } from '@saga/messaging';
import { ReleaseStockService } from '../release-stock/release-stock.service';

/** The order's event inventory reacts to: a cancellation releases the stock, in the handler's transaction. */
@Controller()
export class OrderEventsHandler {
  constructor(private readonly release: ReleaseStockService) {}

  @OnEvent(OrderCancellationRequestedV1)
  onOrderCancellationRequested(
    @Payload() event: EventOf<typeof OrderCancellationRequestedV1>,
    @Ctx() { manager }: SagaEventContext,
  ): Promise<void> {
    return this.release.handle(manager, event);
  }
}
