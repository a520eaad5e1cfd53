import { Controller, Get, Param } from '@nestjs/common';
import { OrderId } from '@saga/contracts';
import { CurrentPrincipal, parseRequest, type Principal } from '@saga/platform';
import { GetOrderService, type OrderView } from './get-order.service';

/** `GET /orders/:id`: the caller's own order (any, for an admin); `404` for another customer's. */
@Controller('orders')
export class GetOrderController {
  constructor(private readonly orders: GetOrderService) {}

  @Get(':id')
  get(@Param('id') id: string, @CurrentPrincipal() caller: Principal): Promise<OrderView> {
    return this.orders.get(parseRequest(OrderId, id, 'order id'), caller);
  }
}
