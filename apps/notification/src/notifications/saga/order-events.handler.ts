import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { OrderCancelledV1, OrderConfirmedV1, type EventOf } from '@saga/contracts';
import { OnEvent, type SagaEventContext } from '@saga/messaging';
import { orderCancelledTemplate } from '../../templates/order-cancelled.template';
import { orderConfirmedTemplate } from '../../templates/order-confirmed.template';
import { RecordNotificationService } from '../record-notification/record-notification.service';

/** The order's terminal events: each records one e-mail, which the dispatcher sends after commit. */
@Controller()
export class OrderEventsHandler {
  constructor(private readonly notifications: RecordNotificationService) {}

  @OnEvent(OrderConfirmedV1)
  async onOrderConfirmed(
    @Payload() event: EventOf<typeof OrderConfirmedV1>,
    @Ctx() { manager }: SagaEventContext,
  ): Promise<void> {
    await this.notifications.record(manager, event, 'ORDER_CONFIRMED', orderConfirmedTemplate(event.data));
  }

  @OnEvent(OrderCancelledV1)
  async onOrderCancelled(
    @Payload() event: EventOf<typeof OrderCancelledV1>,
    @Ctx() { manager }: SagaEventContext,
  ): Promise<void> {
    await this.notifications.record(manager, event, 'ORDER_CANCELLED', orderCancelledTemplate(event.data));
  }
}
