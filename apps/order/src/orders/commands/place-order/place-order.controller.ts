import { Body, Controller, Headers, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { parseRequest } from '@saga/platform';
import { IdempotencyKey, PlaceOrderBody } from './place-order.dto';
import { PlaceOrderService, type PlacedOrder } from './place-order.service';

/** `POST /orders`: accepted at once (202); the saga decides the rest. */
@Controller('orders')
export class PlaceOrderController {
  constructor(private readonly placeOrder: PlaceOrderService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async place(
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PlacedOrder> {
    const order = await this.placeOrder.place(
      parseRequest(PlaceOrderBody, body),
      key === undefined ? undefined : parseRequest(IdempotencyKey, key, 'Idempotency-Key header'),
    );
    response.location(`/orders/${order.orderId}`);
    return order;
  }
}
