import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { waitFor } from '@saga/common';
import { isAlive } from './processes';

/**
 * Two `infra:up` runs at once (a test run and a demo, say) must not both start a server on one data
 * folder: the start is serialised by a lock file created exclusively (holding the holder's pid); a lock
 * whose holder died is stale. `what` names the server in the waiting line ("Kafka", "PostgreSQL").
 * Resolves to the function that releases the lock.
 */
export async function acquireStartLock(
  lock: string,
  what: string,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<() => void> {
  let announced = false;
  await waitFor(
    () => {
      try {
        const fd = openSync(lock, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number.parseInt(readFileSync(lock, 'utf8'), 10);
        // An empty file is a lock being written this instant, unless it has been empty for a while.
        const stale = Number.isInteger(holder)
          ? !isAlive(holder)
          : Date.now() - statSync(lock).mtimeMs > 5000;
        if (stale) {
          rmSync(lock, { force: true });
        } else if (!announced) {
          announced = true;
          log(`Another run (pid ${holder}) is starting ${what}; waiting for it.`);
        }
        return undefined;
      }
    },
    { timeoutMs, intervalMs: 200, what: `the start lock ${lock}` },
  );
  return () => rmSync(lock, { force: true });
}
