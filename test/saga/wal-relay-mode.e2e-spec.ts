import { Client } from 'pg';
import { startTestCluster, type TestCluster } from '@saga/test-kit';
import { SagaHarness } from '@saga/testing';
import { SEED, SERVICES } from './saga-fixtures';

/**
 * The saga with every service's outbox published by the WAL relay (`OUTBOX_RELAY=wal`, docs/adr/0016):
 * the four services on a PostgreSQL cluster of the test's own with `wal_level=logical`, their roles
 * allowed to replicate, and the same audit after each path as in the polling relay's runs.
 */
describe('the order saga with the WAL relay (OUTBOX_RELAY=wal)', () => {
  let cluster: TestCluster;
  let saga: SagaHarness;

  beforeAll(async () => {
    cluster = await startTestCluster('wal-saga');
    // This file's process.env is its own (Jest): the harness makes the copy's databases and roles here.
    process.env.PGPORT = String(cluster.port);
    process.env.OUTBOX_RELAY = 'wal';
    saga = await SagaHarness.start('wal', SERVICES, SEED, { env: { OUTBOX_RELAY: 'wal' } });
  }, 120_000);

  afterEach(async () => {
    await expect(saga.audit().then((report) => report.violations)).resolves.toEqual([]);
  });

  afterAll(async () => {
    await saga?.destroy();
    await cluster?.remove();
  });

  it('runs every service on its slot, and confirms, declines, refunds and cancels as with the polling relay', async () => {
    // Act
    const confirmed = await saga.placeOrderAndWait({
      customerId: 'rich',
      items: [{ sku: 'WIDGET', quantity: 2 }],
    });
    const declined = await saga.placeOrderAndWait({
      customerId: 'poor',
      items: [{ sku: 'GADGET', quantity: 1 }],
    });
    const outOfStock = await saga.placeOrderAndWait({
      customerId: 'rich',
      items: [{ sku: 'NONE', quantity: 1 }],
    });
    const placed = await saga.placeOrder({ customerId: 'rich', items: [{ sku: 'GADGET', quantity: 1 }] });
    await saga.cancelOrder(placed.body.orderId, 'changed my mind');
    const cancelled = await saga.waitForSettled(placed.body.orderId);
    const server = new Client({ connectionString: cluster.serverUrl });
    await server.connect();
    const { rows: slots } = await server
      .query<{ slot_name: string; active: boolean }>(
        "SELECT slot_name, active FROM pg_replication_slots WHERE slot_name LIKE 'saga_outbox_%' ORDER BY slot_name",
      )
      .finally(() => server.end());

    // Assert
    expect([confirmed.status, declined.status, outOfStock.status, cancelled.status]).toEqual([
      'CONFIRMED',
      'CANCELLED',
      'CANCELLED',
      'CANCELLED',
    ]);
    expect(slots).toHaveLength(4);
    expect(slots.every((slot) => slot.active)).toBe(true);
  });
});
