import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { OrderPlacedV1, createEvent, type EventEnvelope } from '@saga/contracts';
import { recordInInbox } from '@saga/inbox';
import {
  collectRecords,
  createTestDataSource,
  createTestDatabase,
  createTestTopic,
  testBrokers,
  testKafka,
  waitFor,
  waitForLockWait,
  type CollectedRecord,
  type TestDatabase,
} from '@saga/testing';
import { addToOutbox } from './add-to-outbox';
import { deletePublished } from './delete-published';
import { outboxBacklog } from './outbox-backlog';
import { OutboxRelay } from './outbox-relay';

/** An OrderPlaced for `orderId` on the test's topic; `totalCents` carries a per-key sequence number. */
function event(topic: string, orderId: string, seq: number): EventEnvelope {
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

const ids = (records: CollectedRecord[]) =>
  records.map((record) => record.message.headers!.ce_id!.toString());
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('outbox relay (real broker and database)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    database = await createTestDatabase('outbox');
    dataSource = await createTestDataSource(database.url);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await dataSource.destroy();
    await database.drop();
  });

  async function topicAndCollector(partitions = 6) {
    const topic = await createTestTopic('outbox', partitions);
    const collector = await collectRecords([topic.name]);
    cleanups.push(topic.remove, collector.stop);
    return { topic: topic.name, records: collector.records };
  }

  function relay(options: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}): OutboxRelay {
    const instance = new OutboxRelay({
      databaseUrl: database.url,
      kafka: testKafka('it-relay'),
      name: `it-relay-${randomUUID().slice(0, 8)}`,
      logger: silent,
      ...options,
    });
    cleanups.push(() => instance.stop());
    return instance;
  }

  const add = (...events: EventEnvelope[]) =>
    dataSource.transaction((manager) => addToOutbox(manager, ...events));

  it('refuses to add outside a transaction', async () => {
    await expect(addToOutbox(dataSource.manager, event('t', randomUUID(), 0))).rejects.toThrow(
      /open transaction/,
    );
  });

  it('validates each event against its contract (validation on produce)', async () => {
    const unknown = { ...event('t', randomUUID(), 0), type: 'order.teleported.v1' };
    const invalid = { ...event('t', randomUUID(), 0), data: { orderId: 'nope' } };
    await expect(add(unknown)).rejects.toThrow('no contract declares order.teleported.v1');
    await expect(add(invalid)).rejects.toThrow(/orderId/);
  });

  it('makes a second transaction on the same key wait until the first commits, so ids follow commit order', async () => {
    // Arrange: the first transaction adds a row for the key and stays open.
    const key = randomUUID();
    let commitFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (commitFirst = resolve));
    let firstAdded!: () => void;
    const added = new Promise<void>((resolve) => (firstAdded = resolve));
    const first = dataSource.transaction(async (manager) => {
      await addToOutbox(manager, event('t', key, 1));
      firstAdded();
      await firstMayCommit;
    });
    await added;

    // Act: the second one, on the same key, must wait for the first's commit.
    const second = add(event('t', key, 2));
    await waitForLockWait(dataSource);
    commitFirst();
    await Promise.all([first, second]);
    const rows: { seq: string }[] = await dataSource.query(
      `SELECT payload::json->>'totalCents' AS seq FROM outbox WHERE record_key = $1 ORDER BY id`,
      [key],
    );

    // Assert
    expect(rows.map((row) => Number(row.seq))).toEqual([1, 2]);
  });

  it('publishes after a restart what was committed while no relay ran', async () => {
    // Arrange: the service committed, then crashed before publishing.
    const { topic, records } = await topicAndCollector();
    const events = Array.from({ length: 50 }, (_, seq) => event(topic, randomUUID(), seq));
    await add(...events);
    const backlogBefore = await outboxBacklog(dataSource);

    // Act
    await relay().start();
    await waitFor(() => records.length >= 50 || undefined, { timeoutMs: 20_000, what: '50 records' });
    // The relay marks a batch after the brokers' answer, so a consumer can see the records first.
    const backlogAfter = await waitFor(
      async () => {
        const backlog = await outboxBacklog(dataSource);
        if (backlog.size > 0) throw new Error(`${backlog.size} rows not yet marked`);
        return backlog;
      },
      { timeoutMs: 10_000, what: 'the relay to mark the 50 rows published' },
    );

    // Assert
    expect(backlogBefore.size).toBe(50);
    expect(ids(records).sort()).toEqual(events.map((e) => e.id).sort());
    expect(backlogAfter.size).toBe(0);
  });

  it('keeps published rows for the retention, and deletes them on publish when the retention is 0', async () => {
    // Arrange
    const { topic, records } = await topicAndCollector();
    await add(...Array.from({ length: 10 }, (_, seq) => event(topic, randomUUID(), seq)));
    const kept = relay({ retentionMs: 86_400_000 });

    // Act
    await kept.start();
    await waitFor(() => records.length >= 10 || undefined, { timeoutMs: 20_000, what: '10 records' });
    await kept.stop();
    const keptRows = Number(
      (await dataSource.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NOT NULL'))[0].n,
    );
    await add(...Array.from({ length: 10 }, (_, seq) => event(topic, randomUUID(), seq)));
    const deleting = relay({ retentionMs: 0 });
    await deleting.start();
    await waitFor(() => records.length >= 20 || undefined, { timeoutMs: 20_000, what: '20 records' });
    await deleting.stop();
    const left = Number((await dataSource.query('SELECT count(*) AS n FROM outbox'))[0].n);

    // Assert
    expect(keptRows).toBe(10);
    expect(left).toBe(0); // retention 0: published rows are not kept, the earlier ten included
  });

  it('re-sends after dying between send and mark; the inbox applies each event once', async () => {
    // Arrange: right after its first send the relay "crashes": its lock connection is killed and it
    // stops there, before the rows are marked.
    const { topic, records } = await topicAndCollector();
    const events = Array.from({ length: 20 }, (_, seq) => event(topic, randomUUID(), seq));
    await add(...events);
    let killed = false;
    const name = `it-relay-dies-${randomUUID().slice(0, 8)}`;
    const instance = relay({
      name,
      retryDelayMs: 50,
      afterSend: async () => {
        if (killed) return;
        killed = true;
        await dataSource.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
          [`${name}-outbox-relay`],
        );
        throw new Error('simulated crash between send and mark');
      },
    });

    // Act
    await instance.start();
    await waitFor(async () => (await outboxBacklog(dataSource)).size === 0 || undefined, {
      timeoutMs: 20_000,
      what: 'the backlog to drain',
    });
    await waitFor(() => records.length >= 40 || undefined, { timeoutMs: 20_000, what: 'every record twice' });
    let applied = 0;
    for (const record of records) {
      const envelope = { id: record.message.headers!.ce_id!.toString(), type: 'order.placed.v1' };
      if (await dataSource.transaction((manager) => recordInInbox(manager, 'it-consumer', envelope)))
        applied += 1;
    }

    // Assert
    expect(killed).toBe(true);
    expect(records).toHaveLength(40);
    expect(applied).toBe(20);
  });

  it('wakes on NOTIFY at commit, without waiting for its poll', async () => {
    // Arrange: a relay whose fallback poll is far longer than the test's deadline.
    const { topic, records } = await topicAndCollector();
    const instance = relay({ pollIntervalMs: 120_000 });
    await instance.start();
    // Only once the leader has read an empty outbox and sleeps on its 120 s poll does the commit come.
    await waitFor(() => (instance.status().role === 'leader' && instance.status().idle) || undefined, {
      timeoutMs: 10_000,
      what: 'the relay to lead and idle',
    });
    const placed = event(topic, randomUUID(), 1);

    // Act
    await add(placed);
    const [record] = await waitFor(() => (records.length > 0 ? records : undefined), {
      timeoutMs: 10_000,
      what: 'the record, long before the 120 s poll',
    });

    // Assert
    expect(record.message.headers!.ce_id!.toString()).toBe(placed.id);
  });

  it('deletes published rows past the retention in bounded batches, never unpublished ones', async () => {
    // Arrange
    await add(...Array.from({ length: 50 }, (_, seq) => event('t', randomUUID(), seq)));
    await dataSource.query(`UPDATE outbox SET published_at = now() - interval '2 days' WHERE id <= 40`);
    const client = (dataSource.driver as unknown as { master: Parameters<typeof deletePublished>[0] }).master;

    // Act
    const first = await deletePublished(client, { retentionMs: 86400_000, batchSize: 10, maxBatches: 2 });
    const rest = await deletePublished(client, { retentionMs: 86400_000, batchSize: 10, maxBatches: 5 });
    const backlog = await outboxBacklog(dataSource);

    // Assert
    expect([first, rest]).toEqual([20, 20]);
    expect(backlog.size).toBe(10);
    expect(backlog.oldestAgeMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps per-key order over 10,000 events on 100 keys with two relays, when the leader is killed mid-run', async () => {
    // Arrange: two relay processes on one database, and a collector on the topic.
    const { topic, records } = await topicAndCollector(6);
    const keys = Array.from({ length: 100 }, () => randomUUID());
    let relayLog = '';
    const start = (name: string): ChildProcess => {
      const child = spawn(
        process.execPath,
        // tsx as a loader in the same process (not its CLI wrapper), so SIGKILL hits the relay itself.
        ['--import', 'tsx', join(__dirname, '..', 'test', 'relay-process.ts')],
        {
          env: {
            ...process.env,
            DATABASE_URL: database.url,
            KAFKA_BROKERS: testBrokers().join(','),
            RELAY_NAME: name,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child.stdout.on('data', (chunk: Buffer) => (relayLog += `${name}: ${chunk.toString()}`));
      child.stderr.on('data', (chunk: Buffer) => (relayLog += `${name}: ${chunk.toString()}`));
      cleanups.push(async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await new Promise((resolve) => child.once('exit', resolve));
        }
      });
      return child;
    };
    const relays = { 'relay-a': start('relay-a'), 'relay-b': start('relay-b') };
    const leader = () =>
      dataSource
        .query(
          `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted AND a.datname = current_database()`,
        )
        .then(
          (rows: { name: string }[]) =>
            rows[0]?.name.replace(/-outbox-relay$/, '') as keyof typeof relays | undefined,
        );
    const first = await waitFor(leader, { timeoutMs: 30_000, what: 'a relay to lead' });
    // The relays run in the default mode, deleting rows as they publish them.
    let inserted = 0;
    const published = async () =>
      inserted - Number((await dataSource.query('SELECT count(*) AS n FROM outbox'))[0].n);

    // Act: 100 transactions, each adding the next sequence number of every key; kill the leader at ~30%.
    let killedAt = -1;
    for (let seq = 0; seq < 100; seq += 1) {
      await add(...keys.map((key) => event(topic, key, seq)));
      inserted += keys.length;
      if (killedAt < 0 && (await published()) >= 3000) {
        killedAt = await published();
        relays[first].kill('SIGKILL');
      }
    }
    if (killedAt < 0) {
      await waitFor(async () => (await published()) >= 3000 || undefined, {
        timeoutMs: 60_000,
        what: '3,000 published',
      });
      killedAt = await published();
      relays[first].kill('SIGKILL');
    }
    const second = await waitFor(
      async () => {
        const now = await leader();
        return now && now !== first ? now : undefined;
      },
      { timeoutMs: 30_000, what: 'the other relay to take over' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- relay output ---\n${relayLog}`);
    });
    await waitFor(async () => (await published()) === 10_000 || undefined, {
      timeoutMs: 90_000,
      what: 'all 10,000 published',
    });
    const unique = new Set<string>();
    await waitFor(
      () => {
        records.forEach((record) => unique.add(record.message.headers!.ce_id!.toString()));
        return unique.size >= 10_000 || undefined;
      },
      { timeoutMs: 60_000, what: '10,000 distinct events at the consumer' },
    );

    // Assert: per key, the first arrival of each event follows the sequence 0..99 exactly.
    const seen = new Set<string>();
    const sequences = new Map<string, number[]>(keys.map((key) => [key, []]));
    for (const record of records) {
      const id = record.message.headers!.ce_id!.toString();
      if (seen.has(id)) continue;
      seen.add(id);
      const data = JSON.parse(record.message.value!.toString()) as { orderId: string; totalCents: number };
      sequences.get(data.orderId)!.push(data.totalCents);
    }
    const expected = Array.from({ length: 100 }, (_, seq) => seq);
    const broken = [...sequences].filter(
      ([, sequence]) => JSON.stringify(sequence) !== JSON.stringify(expected),
    );
    expect({ first, second, killedAt: killedAt > 0 && killedAt < 10_000 }).toEqual({
      first,
      second: first === 'relay-a' ? 'relay-b' : 'relay-a',
      killedAt: true,
    });
    expect(broken.map(([key, sequence]) => `${key}: ${sequence.slice(0, 10).join(',')}…`)).toEqual([]);
    expect(unique.size).toBe(10_000);
    console.log(
      `two relays, leader ${first} killed at ${killedAt} published; ${second} took over; ` +
        `${records.length - 10_000} duplicates re-sent, per-key order intact`,
    );
  });
});
