import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { waitFor } from '@saga/common';
import { event, ids, useRelayFixture } from '../test/relay-fixture';
import { addToOutbox } from './add-to-outbox';
import { outboxBacklog } from './outbox-backlog';
import type { WalOutboxRelay } from './wal-relay';
import { OUTBOX_PUBLICATION, ensurePublication, ensureSlot } from './wal/replication-slot';
import { WalStream } from './wal/wal-stream';

describe('WAL outbox relay (logical replication; real broker, a cluster of its own)', () => {
  const fixture = useRelayFixture('wal');
  const { topicAndCollector, add } = fixture;
  let dataSource: DataSource;
  beforeEach(() => ({ dataSource } = fixture));
  const relay = (options: Parameters<typeof fixture.relay>[0] = {}) =>
    fixture.relay(options) as WalOutboxRelay;

  /** A relay started and idle (its slot made, the table published), then stopped if `stopped`. */
  const idleRelay = async (stopped = false) => {
    const instance = relay();
    await instance.start();
    await waitFor(() => instance.status().idle || undefined, {
      timeoutMs: 20_000,
      what: 'the relay to idle',
    });
    if (stopped) await instance.stop();
    return instance;
  };

  const drained = () =>
    waitFor(async () => (await outboxBacklog(dataSource)).size === 0 || undefined, {
      timeoutMs: 20_000,
      what: 'the outbox table to be empty',
    });

  it('publishes what was committed before its slot existed, then streams new commits', async () => {
    // Arrange: committed before any relay (and so before the slot) existed
    const { topic, records } = await topicAndCollector();
    const before = Array.from({ length: 30 }, (_, seq) => event(topic, randomUUID(), seq));
    await add(...before);
    const instance = relay();

    // Act
    await instance.start();
    await waitFor(() => records.length >= 30 || undefined, { timeoutMs: 20_000, what: '30 records' });
    const after = Array.from({ length: 20 }, (_, seq) => event(topic, randomUUID(), seq));
    for (const placed of after) await add(placed);
    await waitFor(() => records.length >= 50 || undefined, { timeoutMs: 20_000, what: '50 records' });
    await drained();

    // Assert
    expect(ids(records).sort()).toEqual([...before, ...after].map((e) => e.id).sort());
    expect(instance.status()).toMatchObject({ role: 'leader', published: 50 });
  });

  it("publishes one key's events in commit order, with no lock among its writers", async () => {
    // Arrange: the first transaction adds its event first (a lower id) and commits last
    const { topic, records } = await topicAndCollector();
    await idleRelay();
    const key = randomUUID();
    const [early, late] = [event(topic, key, 1), event(topic, key, 2)];
    const first = dataSource.createQueryRunner();
    await first.connect();
    await first.startTransaction();

    // Act
    await addToOutbox(first.manager, early);
    const idOf = (runner: { query: typeof dataSource.query }, id: string) =>
      runner
        .query<{ id: string }[]>('SELECT id::text FROM outbox WHERE event_id = $1', [id])
        .then((r) => Number(r[0].id));
    const earlyId = await idOf(first.manager, early.id);
    await add(late); // not blocked: no per-key lock in this mode
    const lateId = await idOf(dataSource, late.id);
    await first.commitTransaction();
    await first.release();
    await waitFor(() => records.length >= 2 || undefined, { timeoutMs: 20_000, what: 'both records' });

    // Assert: Kafka has them in commit order; their ids said the opposite
    expect(ids(records)).toEqual([late.id, early.id]);
    expect(earlyId).toBeLessThan(lateId);
  });

  it('sends again what it had sent but not confirmed when it died, and loses nothing', async () => {
    // Arrange: after its first send, the relay fails before deleting and confirming
    const { topic, records } = await topicAndCollector();
    const instance = await idleRelay();
    let failed = 0;
    const crashing = relay({
      retryDelayMs: 50,
      afterSend: () => {
        failed += 1;
        if (failed === 1) throw new Error('simulated crash between send and confirm');
      },
    });
    await instance.stop();
    const events = Array.from({ length: 20 }, (_, seq) => event(topic, randomUUID(), seq));
    await add(...events);

    // Act
    await crashing.start();
    await drained();
    await waitFor(() => records.length >= 40 || undefined, { timeoutMs: 20_000, what: 'every record twice' });

    // Assert: the first try's 20, then the same 20 again from the slot
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(ids(records).sort()).toEqual([...events, ...events].map((e) => e.id).sort());
  });

  it('republishes from the table what no slot holds when its slot was dropped', async () => {
    // Arrange
    const { topic, records } = await topicAndCollector();
    const first = await idleRelay(true);
    const whileStopped = Array.from({ length: 10 }, (_, seq) => event(topic, randomUUID(), seq));
    await add(...whileStopped);
    await dataSource.query('SELECT pg_drop_replication_slot($1)', [first.slot]);
    const withoutSlot = Array.from({ length: 10 }, (_, seq) => event(topic, randomUUID(), seq));
    await add(...withoutSlot);

    // Act
    await relay().start();
    await waitFor(() => records.length >= 20 || undefined, { timeoutMs: 20_000, what: '20 records' });
    await drained();
    const slots = await dataSource.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [
      first.slot,
    ]);

    // Assert
    expect(ids(records).sort()).toEqual([...whileStopped, ...withoutSlot].map((e) => e.id).sort());
    expect(slots).toHaveLength(1);
  });

  it('republishes from the table when the server invalidated its slot for the WAL it held', async () => {
    // Arrange: a stopped relay's slot holds the WAL up to max_slot_wal_keep_size (here 64MB)
    const { topic, records } = await topicAndCollector();
    const first = await idleRelay(true);
    const events = Array.from({ length: 10 }, (_, seq) => event(topic, randomUUID(), seq));
    await add(...events);
    await dataSource.query('CREATE TABLE filler (pad text)');
    const status = () =>
      dataSource
        .query<{ wal_status: string }[]>('SELECT wal_status FROM pg_replication_slots WHERE slot_name = $1', [
          first.slot,
        ])
        .then((rows) => rows[0]?.wal_status);
    await waitFor(
      async () => {
        await dataSource.query(
          `INSERT INTO filler SELECT repeat(md5(random()::text), 300) FROM generate_series(1, 2000)`,
        );
        await dataSource.query('SELECT pg_switch_wal()');
        await dataSource.query('CHECKPOINT');
        return (await status()) === 'lost' || undefined;
      },
      { timeoutMs: 60_000, intervalMs: 10, what: 'the slot to be invalidated' },
    );

    // Act
    await relay().start();
    await waitFor(() => records.length >= 10 || undefined, { timeoutMs: 20_000, what: '10 records' });
    await drained();

    // Assert
    expect(ids(records).sort()).toEqual(events.map((e) => e.id).sort());
    expect(await status()).toBe('reserved');
  });

  it("confirms the server's position while idle, so a busy database's WAL is not held for it", async () => {
    // Arrange
    const instance = relay();
    await instance.start();
    await waitFor(() => instance.status().idle || undefined, {
      timeoutMs: 20_000,
      what: 'the relay to idle',
    });
    await dataSource.query('CREATE TABLE busy (pad text)');

    // Act: some 20 MB of WAL that the publication does not publish
    const [{ lsn: start }] = await dataSource.query<{ lsn: string }[]>(
      'SELECT pg_current_wal_lsn()::text AS lsn',
    );
    for (let i = 0; i < 8; i += 1) {
      await dataSource.query(
        `INSERT INTO busy SELECT repeat(md5(random()::text), 30) FROM generate_series(1, 2000)`,
      );
    }
    const [{ lsn: end, bytes }] = await dataSource.query<{ lsn: string; bytes: number }[]>(
      'SELECT pg_current_wal_lsn()::text AS lsn, pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::float8 AS bytes',
      [start],
    );
    const lag = await waitFor(
      async () => {
        const [slot] = await dataSource.query<{ behind: number }[]>(
          'SELECT pg_wal_lsn_diff($1, confirmed_flush_lsn)::float8 AS behind FROM pg_replication_slots WHERE slot_name = $2',
          [end, instance.slot],
        );
        return slot && slot.behind <= 0 ? await instance.lag() : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the slot to confirm past the unpublished WAL' },
    );

    // Assert
    expect(bytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(lag?.active).toBe(true);
  });

  it('closes its stream at once, also while the connection is still being made', async () => {
    // Arrange: pg never settles a connect() that is ended half-way; the stream must not wait on it
    const client = new Client({ connectionString: fixture.database.url });
    await client.connect();
    await ensurePublication(client);
    await ensureSlot(client, 'closing_test');
    await client.end();
    const closeTimes: number[] = [];

    // Act: closed in the same tick as opened, then one tick later, then after a few milliseconds
    for (const afterMs of [-1, 0, 2, 5, -1, 0]) {
      const stream = WalStream.open({
        connection: { connectionString: fixture.database.url },
        slot: 'closing_test',
        publication: OUTBOX_PUBLICATION,
        highWaterRows: 100,
      });
      if (afterMs >= 0) await new Promise((resolve) => setTimeout(resolve, afterMs)); // a moment of its set-up
      const closedAt = Date.now();
      const closed = await Promise.race([
        stream.close().then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 10_000).unref()),
      ]);
      closeTimes.push(closed ? Date.now() - closedAt : Infinity);
    }

    // Assert
    expect(closeTimes.filter((ms) => ms > 5000)).toEqual([]);
  });

  it('a standby takes over within seconds when the leader stops, and nothing is lost', async () => {
    // Arrange
    const { topic, records } = await topicAndCollector();
    const leader = relay();
    await leader.start();
    await waitFor(() => leader.status().idle || undefined, { timeoutMs: 20_000, what: 'a leader' });
    const standby = relay({ lockRetryMs: 100 });
    await standby.start();
    await waitFor(() => standby.status().role === 'standby' || undefined, {
      timeoutMs: 10_000,
      what: 'a standby',
    });
    const events = Array.from({ length: 40 }, (_, seq) => event(topic, randomUUID(), seq));
    await add(...events.slice(0, 20));
    await waitFor(() => records.length >= 20 || undefined, { timeoutMs: 20_000, what: '20 records' });

    // Act
    await leader.stop();
    const stoppedAt = Date.now();
    await waitFor(() => standby.status().role === 'leader' || undefined, {
      timeoutMs: 10_000,
      what: 'the takeover',
    });
    const tookOverMs = Date.now() - stoppedAt;
    await add(...events.slice(20));
    await waitFor(() => records.length >= 40 || undefined, { timeoutMs: 20_000, what: '40 records' });

    // Assert
    expect(tookOverMs).toBeLessThan(5000);
    expect(ids(records).sort()).toEqual(events.map((e) => e.id).sort());
  });
});
