import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { StockReleasedV1, StockReservationFailedV1, StockReservedV1, type EventOf } from '@saga/contracts';
import { OnEvent, type SagaEventContext } from '@saga/messaging';
import { OrderSagaService } from './order-saga.service';

/** The inventory service's reports: one call into the saga each. */
@Controller()
export class InventoryEventsHandler {
  constructor(private readonly saga: OrderSagaService) {}

  @OnEvent(StockReservedV1)
  onStockReserved(@Payload() event: EventOf<typeof StockReservedV1>, @Ctx() { manager }: SagaEventContext) {
    return this.saga.record(manager, event, { step: 'STOCK_RESERVED', changes: { stockStatus: 'RESERVED' } });
  }

  @OnEvent(StockReservationFailedV1)
  onStockReservationFailed(
    @Payload() event: EventOf<typeof StockReservationFailedV1>,
    @Ctx() { manager }: SagaEventContext,
  ) {
    const lines = event.data.lines.map((line) => `${line.sku} (${line.available}/${line.requested})`);
    return this.saga.record(manager, event, {
      step: 'STOCK_RESERVATION_FAILED',
      changes: {
        stockStatus: 'FAILED',
        reason: `stock reservation failed: ${event.data.reason}${lines.length ? ` ${lines.join(', ')}` : ''}`,
      },
    });
  }

  @OnEvent(StockReleasedV1)
  onStockReleased(@Payload() event: EventOf<typeof StockReleasedV1>, @Ctx() { manager }: SagaEventContext) {
    return this.saga.record(manager, event, { step: 'STOCK_RELEASED', changes: { stockStatus: 'RELEASED' } });
  }
}
