import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { recordInInbox } from '@saga/inbox';
import { waitFor } from '@saga/common';
import { event, ids, useRelayFixture } from '../test/relay-fixture';
import { deletePublished } from './delete-published';
import { outboxBacklog } from './outbox-backlog';

describe('outbox relay (real broker and database)', () => {
  const fixture = useRelayFixture();
  const { topicAndCollector, relay, add } = fixture;
  let dataSource: DataSource;
  beforeEach(() => ({ dataSource } = fixture));

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
});
