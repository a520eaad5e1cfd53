import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { OrderId, Reason } from '@saga/contracts';
import { parseRequest } from '@saga/platform';
import { CancelOrderService } from './cancel-order.service';

/** Optional body of a cancellation: why (kept on the order and sent in the events). */
const CancelOrderBody = z.object({ reason: Reason.optional() }).strict();

/** `POST /orders/:id/cancel`: accepted (202); the compensations follow. */
@Controller('orders')
export class CancelOrderController {
  constructor(private readonly cancelOrder: CancelOrderService) {}

  @Post(':id/cancel')
  @HttpCode(HttpStatus.ACCEPTED)
  cancel(@Param('id') id: string, @Body() body: unknown) {
    const orderId = parseRequest(OrderId, id, 'order id');
    const { reason } = parseRequest(CancelOrderBody, body ?? {});
    return this.cancelOrder.cancel(orderId, reason ?? 'cancelled by the customer');
  }
}
