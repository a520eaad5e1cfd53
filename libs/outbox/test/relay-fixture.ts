import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { OrderPlacedV1, createEvent, type EventEnvelope } from '@saga/contracts';
import { CreateInbox1795300000002 } from '@saga/inbox';
import {
  collectRecords,
  createMigratedDataSource,
  createTestDatabase,
  createTestTopic,
  startTestCluster,
  testKafka,
  type TestCluster,
  type CollectedRecord,
  type TestDatabase,
} from '@saga/test-kit';
import { addToOutbox, writeOutboxForWalRelay } from '../src/add-to-outbox';
import { CreateOutbox1795300000001 } from '../src/create-outbox.migration';
import { OutboxRelay, type OutboxRelayOptions } from '../src/outbox-relay';
import { WalOutboxRelay, type WalRelayOptions } from '../src/wal-relay';

/** How the outbox is published: the polling relay (LISTEN/NOTIFY) or the WAL relay. */
export type RelayMode = 'notify' | 'wal';

/** What the tests use of either relay. */
export type Relay = Pick<OutboxRelay, 'start' | 'stop' | 'status'>;

/** An OrderPlaced for `orderId` on the test's topic; `totalCents` carries a per-key sequence number. */
export function event(topic: string, orderId: string, seq: number): EventEnvelope {
  const placed = createEvent(
    OrderPlacedV1,
    {
      orderId,
      customerId: 'c-1',
      items: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: seq }],
      totalCents: seq,
      currency: 'EUR',
    },
    { source: 'order' },
  );
  return { ...placed, topic };
}

/** The `ce_id` of each record, in arrival order. */
export const ids = (records: CollectedRecord[]) =>
  records.map((record) => record.message.headers!.ce_id!.toString());

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** What {@link useRelayFixture} gives each test: a fresh outbox database, and helpers cleaned up after it. */
export interface RelayFixture {
  readonly database: TestDatabase;
  readonly dataSource: DataSource;
  /** Run after the test, last added first (topics, collectors, relays, processes). */
  readonly cleanups: (() => Promise<unknown>)[];
  /** A new topic and a collector of its records, both removed after the test. */
  topicAndCollector(partitions?: number): Promise<{ topic: string; records: CollectedRecord[] }>;
  /** The server the test's database is on: the test run's, or (`wal`) a cluster of the test file's own. */
  readonly serverUrl: string | undefined;
  /** The test file's own cluster (`wal`), which a test may stop and start again. */
  readonly cluster: TestCluster | undefined;
  /** A relay of the fixture's mode on the test's database (not started), stopped after the test. */
  relay(options?: Partial<WalRelayOptions>): Relay;
  /** Adds the events to the outbox in one transaction. */
  add(...events: EventEnvelope[]): Promise<void>;
}

/**
 * The outbox relay tests' setup: before each test a throw-away database with the outbox table; after it,
 * the cleanups in reverse order, then the database dropped. In `wal` mode the databases are on a
 * cluster with logical replication that the test file starts (and removes), and the writers write for
 * the WAL relay. Call it inside `describe`.
 */
export function useRelayFixture(mode: RelayMode = 'notify'): RelayFixture {
  let database: TestDatabase;
  let dataSource: DataSource;
  let cluster: TestCluster | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    if (mode === 'wal') cluster = await startTestCluster('wal-relay', { max_slot_wal_keep_size: "'64MB'" });
  }, 60_000);

  afterAll(async () => {
    await cluster?.remove();
  });

  beforeEach(async () => {
    database = await createTestDatabase('outbox', cluster?.serverUrl);
    dataSource = await createMigratedDataSource(database.url, [
      CreateOutbox1795300000001,
      CreateInbox1795300000002,
    ]);
    if (mode === 'wal') writeOutboxForWalRelay(dataSource);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await dataSource.destroy();
    await database.drop();
  });

  return {
    get database() {
      return database;
    },
    get dataSource() {
      return dataSource;
    },
    cleanups,
    get serverUrl() {
      return cluster?.serverUrl;
    },
    get cluster() {
      return cluster;
    },
    async topicAndCollector(partitions = 6) {
      const topic = await createTestTopic('outbox', partitions);
      const collector = await collectRecords([topic.name]);
      cleanups.push(topic.remove, collector.stop);
      return { topic: topic.name, records: collector.records };
    },
    relay(options = {}) {
      const settings: OutboxRelayOptions = {
        databaseUrl: database.url,
        kafka: testKafka('it-relay'),
        name: `it-relay-${randomUUID().slice(0, 8)}`,
        logger: silent,
        ...options,
      };
      const instance = mode === 'wal' ? new WalOutboxRelay(settings) : new OutboxRelay(settings);
      cleanups.push(() => instance.stop());
      return instance;
    },
    add: (...events) => dataSource.transaction((manager) => addToOutbox(manager, ...events)),
  };
}
