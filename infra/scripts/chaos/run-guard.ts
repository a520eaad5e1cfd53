import { join } from 'node:path';
import type { BrokerSettings } from '../kafka-broker';
import type { InfraSession } from '../infra-session';
import { localDir } from '../local-paths';
import { watchBrokers } from './broker-watchdog';

/**
 * Makes a run leave nothing behind, however it ends. Ctrl+C, SIGTERM, SIGHUP or an error nothing caught
 * stop the brokers the session started, and exiting kills the service processes (ProcessPlatform). A
 * SIGKILL runs no handler: then the service processes stop themselves (exit-with-parent.cjs) and a
 * watchdog stops the brokers ({@link watchBrokers}). `close()` is the normal end.
 */
export function guardRun(name: string, session: () => InfraSession | undefined) {
  const watchdog = watchBrokers(join(localDir(), 'chaos', `brokers-of-${process.pid}.pids`));
  const close = async () => {
    watchdog.clear();
    await session()?.close();
  };
  let aborting = false;
  const abort = (why: string, code: number) => {
    console.error(`[${name}] ${why}; stopping what the run started`);
    if (aborting) return; // a second error while stopping: the first stop goes on
    aborting = true;
    void close()
      .catch((error: Error) => console.error(`[${name}] stopping failed: ${error.message}`))
      .finally(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => abort(`${signal} received`, 130));
  process.on('uncaughtException', (error) =>
    abort(`the run itself failed: ${error.stack ?? error.message}`, 1),
  );
  process.on('unhandledRejection', (error) =>
    abort(
      `the run itself failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      1,
    ),
  );
  return {
    /** The session's brokers are up (or changed): the watchdog stops these if the run is killed. */
    opened: () => watchdog.record(session()?.spawnedPids ?? []),
    /** Restarts a killed node of the session, and tells the watchdog its new pid. */
    restartBroker: async (node: BrokerSettings) => {
      await session()!.restartNode(node);
      watchdog.record(session()?.spawnedPids ?? []);
    },
    close,
  };
}
