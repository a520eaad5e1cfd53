import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  Res,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Response } from 'express';
import { AdmissionInterceptor, CurrentPrincipal, parseRequest, type Principal } from '@saga/platform';
import { IdempotencyKey, OrderCustomerId, PlaceOrderBody, type OrderToPlace } from './place-order.dto';
import { PlaceOrderService, type PlacedOrder } from './place-order.service';

/**
 * `POST /orders`: accepted at once (202); the saga decides the rest. The order is the caller's: a
 * customer's token names the customer, and a `customerId` in the body must be that one (403
 * otherwise). An admin places orders for the customer the body names. Each customer may place
 * `ORDER_RATE_LIMIT` orders a window (429 beyond). Past the service's capacity — too many requests at
 * once, or too many orders the saga has not settled yet — it answers 503 with `Retry-After` at once
 * instead of late (order-admission.ts).
 */
@Controller('orders')
export class PlaceOrderController {
  constructor(private readonly placeOrder: PlaceOrderService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(ThrottlerGuard)
  @UseInterceptors(AdmissionInterceptor)
  async place(
    @CurrentPrincipal() caller: Principal,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PlacedOrder> {
    const order = await this.placeOrder.place(
      orderOf(caller, parseRequest(PlaceOrderBody, body)),
      key === undefined ? undefined : parseRequest(IdempotencyKey, key, 'Idempotency-Key header'),
    );
    response.location(`/orders/${order.orderId}`);
    return order;
  }
}

/** Settles whose order it is: the caller's own, or for an admin the body's customer. */
function orderOf(caller: Principal, { customerId, items }: PlaceOrderBody): OrderToPlace {
  if (caller.roles.includes('admin')) {
    if (customerId === undefined)
      throw new BadRequestException('customerId: an admin must name the customer');
    return { customerId, items };
  }
  if (customerId !== undefined && customerId !== caller.subject) {
    throw new ForbiddenException('customerId must be the customer the token names (or be left out)');
  }
  const customer = customerId ?? caller.subject;
  if (!OrderCustomerId.safeParse(customer).success) {
    throw new ForbiddenException("the token's sub is not a customer id this service accepts");
  }
  return { customerId: customer, items };
}
