import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ProductUpdatedV2, type EventOf } from '@saga/contracts';
import { OnEvent, type SagaEventContext } from '@saga/messaging';
import { upsertCatalogProduct } from './catalog-product';

/** Keeps the catalog replica up to date from `catalog.products` (v1 records arrive upcast to v2). */
@Controller()
export class CatalogEventsHandler {
  @OnEvent(ProductUpdatedV2)
  onProductUpdated(
    @Payload() event: EventOf<typeof ProductUpdatedV2>,
    @Ctx() context: SagaEventContext,
  ): Promise<void> {
    return upsertCatalogProduct(context.manager, event.data, { time: event.time, offset: context.offset });
  }
}
