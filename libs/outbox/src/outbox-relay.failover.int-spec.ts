import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { testBrokers, type TestDatabase } from '@saga/test-kit';
import { waitFor } from '@saga/common';
import { event, useRelayFixture, type RelayMode } from '../test/relay-fixture';

describe.each<RelayMode>(['notify', 'wal'])(
  'outbox relay failover, %s mode (two relay processes, real broker and database)',
  (mode) => {
    const fixture = useRelayFixture(mode);
    const { cleanups, topicAndCollector, add } = fixture;
    let database: TestDatabase;
    let dataSource: DataSource;
    beforeEach(() => ({ database, dataSource } = fixture));

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
              RELAY_MODE: mode,
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
              rows[0]?.name.replace(/-outbox(-wal)?-relay$/, '') as keyof typeof relays | undefined,
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
  },
);
