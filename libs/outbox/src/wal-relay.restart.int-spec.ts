import { randomUUID } from 'node:crypto';
import { waitFor } from '@saga/common';
import { clusterLogTail, startPostgresCluster, stopPostgresCluster } from '@saga/test-kit';
import { event, ids, useRelayFixture } from '../test/relay-fixture';
import { outboxBacklog } from './outbox-backlog';

/**
 * The WAL relay across its server's restart: the replication connection, the leader's session and the
 * deleter's pool all die with the server; the relay must come back to its slot when the server does and
 * publish everything that was committed, sending again what it had not confirmed.
 */
describe('WAL outbox relay across a PostgreSQL restart (real broker, a cluster of its own)', () => {
  const fixture = useRelayFixture('wal');

  /** Adds the events, trying again while the server comes back (a failed transaction added nothing). */
  const addWhenUp = (...events: Parameters<typeof fixture.add>) =>
    waitFor(() => fixture.add(...events).then(() => true), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'the server to take the events',
    });

  it.each(['fast', 'immediate'] as const)(
    'streams on after a %s stop and start of the server mid-stream, and loses nothing',
    async (mode) => {
      // Arrange: a streaming relay, and 3,000 events (20 transactions, then one of 2,000) it is still sending
      const { topic, records } = await fixture.topicAndCollector();
      const instance = fixture.relay({ retryDelayMs: 200 });
      await instance.start();
      await waitFor(() => instance.status().idle || undefined, { timeoutMs: 20_000, what: 'streaming' });
      const before = Array.from({ length: 3000 }, (_, seq) => event(topic, randomUUID(), seq));
      for (let i = 0; i < 1000; i += 50) await fixture.add(...before.slice(i, i + 50));
      await fixture.add(...before.slice(1000));

      // Act: the server stops (sessions ended, or crashed) and starts again; then more is committed
      const escalations = () =>
        clusterLogTail(fixture.cluster!, 10_000).split('received immediate shutdown request').length - 1;
      const escalatedBefore = escalations();
      await stopPostgresCluster(fixture.cluster!, mode, 20_000);
      const escalated = escalations() - escalatedBefore;
      await startPostgresCluster(fixture.cluster!);
      const after = Array.from({ length: 50 }, (_, seq) => event(topic, randomUUID(), seq));
      await addWhenUp(...after);
      const expected = [...before, ...after].map((e) => e.id);
      const seen = () => new Set(ids(records));
      await waitFor(() => expected.every((id) => seen().has(id)) || undefined, {
        timeoutMs: 60_000,
        what: 'every event in Kafka',
      }).catch((error: Error) => {
        const status = JSON.stringify(instance.status());
        throw new Error(`${error.message}: ${seen().size} of ${expected.length} seen; relay ${status}`);
      });
      await waitFor(async () => (await outboxBacklog(fixture.dataSource)).size === 0 || undefined, {
        timeoutMs: 20_000,
        what: 'the outbox table to be empty',
      });
      // It leads again: not necessarily at this instant — on a loaded machine a term may still end (a
      // replication timeout) and the relay take its lock again — but within a few retries.
      const leads = await waitFor(() => instance.status().role === 'leader' || undefined, {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: 'the relay to lead',
      }).catch((error: Error) => new Error(`${error.message}: relay ${JSON.stringify(instance.status())}`));

      // Assert: every event at least once (what was not confirmed is sent again), the relay leads, and a
      // fast stop ended without becoming an immediate one: the relay did not hold the server's shutdown
      expect([...new Set(ids(records))].sort()).toEqual(expected.sort());
      expect(escalated).toBe(mode === 'immediate' ? 1 : 0);
      expect(leads).toBe(true);
    },
  );
});
