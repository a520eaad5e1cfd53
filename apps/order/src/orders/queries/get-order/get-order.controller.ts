import { Controller, Get, Param } from '@nestjs/common';
import { OrderId } from '@saga/contracts';
import { parseRequest } from '@saga/platform';
import { GetOrderService, type OrderView } from './get-order.service';

/** `GET /orders/:id`. */
@Controller('orders')
export class GetOrderController {
  constructor(private readonly orders: GetOrderService) {}

  @Get(':id')
  get(@Param('id') id: string): Promise<OrderView> {
    return this.orders.get(parseRequest(OrderId, id, 'order id'));
  }
}
