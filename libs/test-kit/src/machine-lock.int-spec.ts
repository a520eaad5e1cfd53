import { Client } from 'pg';
import { waitFor } from '@saga/common';
import { MachineLock } from './machine-lock';
import { postgresServerUrl } from './postgres-server';

describe('MachineLock (real PostgreSQL)', () => {
  it(
    'gives the machine to one holder at a time: a second waits until the first releases it',
    async () => {
      // Arrange
      const first = await MachineLock.acquire('lock-test-first');
      let secondHolds = false;
      const second = MachineLock.acquire('lock-test-second').then((lock) => {
        secondHolds = true;
        return lock;
      });
      const observer = new Client({ connectionString: postgresServerUrl() });
      await observer.connect();

      try {
        // Act: the second session is seen waiting on the lock while the first holds it
        await waitFor(
          async () => {
            const { rows } = await observer.query<{ wait_event_type: string | null }>(
              "SELECT wait_event_type FROM pg_stat_activity WHERE application_name = 'saga-machine-lock:lock-test-second'",
            );
            return rows[0]?.wait_event_type === 'Lock' || undefined;
          },
          { timeoutMs: 10_000, what: 'the second holder to wait on the advisory lock' },
        );
        const heldWhileFirstHolds = secondHolds;
        await first.release();
        const lock = await second;

        // Assert
        expect(heldWhileFirstHolds).toBe(false);
        expect(secondHolds).toBe(true);
        await lock.release();
      } finally {
        await observer.end();
      }
    },
    15 * 60_000,
  );
});
