import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { PoisonRecordError, ProductUpdatedV2, fromKafkaRecord, type EventData } from '@saga/contracts';
import { readToEnd } from '@saga/common';
import { upsertCatalogProduct, type CatalogSource } from './catalog-product';

/** What a rebuild did. */
export interface CatalogRebuild {
  /** Records read from offset 0 up to the end of each partition. */
  readonly records: number;
  /** Products in the replica afterwards (the latest record of each SKU). */
  readonly products: number;
  /** Records that are not valid catalog events (they stay in the topic; the consumer dead-letters them). */
  readonly skipped: number;
}

/**
 * Rebuilds the catalog replica from scratch by replaying the compacted `catalog.products` topic from
 * offset 0: the log is the catalog (event-carried state transfer), so the replica is disposable.
 *
 * The running service keeps consuming meanwhile. The table is locked against writes first and the end
 * offsets are read after that, so every record the service applied before is in the replay, and every
 * later one is applied after the rebuild commits (its offset is newer). Reads (pricing orders) go on.
 */
export async function rebuildCatalog(
  dataSource: DataSource,
  kafka: Kafka,
  topic: string,
  timeoutMs = 60_000,
): Promise<CatalogRebuild> {
  return dataSource.transaction(async (manager) => {
    await manager.query('LOCK TABLE catalog_products IN SHARE ROW EXCLUSIVE MODE');
    const latest = new Map<string, { product: EventData<typeof ProductUpdatedV2>; source: CatalogSource }>();
    let skipped = 0;
    const records = await readToEnd(
      kafka,
      [topic],
      (_topic, _partition, message) => {
        try {
          const event = fromKafkaRecord(topic, message);
          if (event.type !== ProductUpdatedV2.type) return;
          const product = event.data as EventData<typeof ProductUpdatedV2>;
          const source = { time: event.time, offset: message.offset };
          const known = latest.get(product.sku)?.source;
          if (!known || isNewer(source, known)) latest.set(product.sku, { product, source });
        } catch (error) {
          if (!(error instanceof PoisonRecordError)) throw error;
          skipped += 1;
        }
      },
      timeoutMs,
    );
    await manager.query('DELETE FROM catalog_products');
    for (const { product, source } of latest.values()) {
      await upsertCatalogProduct(manager, product, source);
    }
    return { records, products: latest.size, skipped };
  });
}

/** The replica's order of changes (see {@link upsertCatalogProduct}): event time, then offset. */
function isNewer(a: CatalogSource, b: CatalogSource): boolean {
  const at = Date.parse(a.time);
  const bt = Date.parse(b.time);
  return at !== bt ? at > bt : BigInt(a.offset) > BigInt(b.offset);
}
