/**
 * `npm run catalog:rebuild`: rebuilds the order service's catalog replica by replaying
 * `catalog.products` from offset 0 (same environment variables as the order service). Safe while the
 * service runs.
 */
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { TOPICS } from '@saga/contracts';
import { ConfigError, kafkaClientConfig, loadServiceConfig } from '@saga/platform';
import { rebuildCatalog } from './rebuild-catalog';

async function main(): Promise<void> {
  const config = loadServiceConfig('order');
  const dataSource = await new DataSource({ type: 'postgres', url: config.databaseUrl }).initialize();
  try {
    const topic = `${config.kafkaTopicPrefix}${TOPICS.catalogProducts.name}`;
    const kafka = new Kafka({ ...kafkaClientConfig(config), clientId: 'catalog-rebuild' });
    const result = await rebuildCatalog(dataSource, kafka, topic);
    console.log(
      `catalog replica rebuilt from ${topic}: ${result.records} records read, ${result.products} products` +
        (result.skipped ? `, ${result.skipped} invalid records skipped` : ''),
    );
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
