import { inventoryService } from '../../apps/inventory/src/app.module';
import { notificationService } from '../../apps/notification/src/app.module';
import { orderService } from '../../apps/order/src/app.module';
import { paymentService } from '../../apps/payment/src/app.module';
import type { SagaSeed, SagaServices } from '@saga/testing';

/** The four services, booted in-process by the saga harness. */
export const SERVICES: SagaServices = {
  order: orderService,
  payment: paymentService,
  inventory: inventoryService,
  notification: notificationService,
};

/** A small world for the saga tests: a rich and a poor customer, plenty and scarce stock. */
export const SEED: SagaSeed = {
  accounts: [
    { customerId: 'rich', balanceCents: 10_000_000, currency: 'EUR' },
    { customerId: 'poor', balanceCents: 500, currency: 'EUR' },
    { customerId: 'dollar', balanceCents: 10_000_000, currency: 'USD' },
  ],
  products: [
    { sku: 'WIDGET', name: 'Widget', priceCents: 1_000, currency: 'EUR', stock: 1_000 },
    { sku: 'GADGET', name: 'Gadget', priceCents: 2_500, currency: 'EUR', stock: 1_000 },
    { sku: 'RARE', name: 'Rare thing', priceCents: 700, currency: 'EUR', stock: 1 },
    { sku: 'NONE', name: 'Sold out', priceCents: 100, currency: 'EUR', stock: 0 },
  ],
};

/** A small deterministic PRNG (mulberry32): random workloads that a failing run can replay. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
