import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { OrderId, Reason } from '@saga/contracts';
import { CurrentPrincipal, parseRequest, type Principal } from '@saga/platform';
import { CancelOrderService } from './cancel-order.service';

/** Optional body of a cancellation: why (kept on the order and sent in the events). */
export const CancelOrderBody = z.object({ reason: Reason.optional() }).strict();

/** `POST /orders/:id/cancel`: accepted (202); the compensations follow. The caller's own order only (any, for an admin). */
@Controller('orders')
export class CancelOrderController {
  constructor(private readonly cancelOrder: CancelOrderService) {}

  @Post(':id/cancel')
  @HttpCode(HttpStatus.ACCEPTED)
  cancel(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() caller: Principal) {
    const orderId = parseRequest(OrderId, id, 'order id');
    const { reason } = parseRequest(CancelOrderBody, body ?? {});
    return this.cancelOrder.cancel(orderId, reason ?? 'cancelled by the customer', caller);
  }
}
