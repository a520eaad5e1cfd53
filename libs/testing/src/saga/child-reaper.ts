import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * Makes every service process exit on its own once the process that started it is gone: preload it
 * (`node --require`) with {@link exitWithParentEnv} in the child's environment.
 */
export const EXIT_WITH_PARENT = join(__dirname, 'exit-with-parent.cjs');

/** The environment {@link EXIT_WITH_PARENT} reads: who the parent is. */
export function exitWithParentEnv(): Record<string, string> {
  return { SAGA_PARENT_PID: String(process.pid) };
}

/** The service processes this process started and that still run: killed when this process exits. */
const liveChildren = new Set<ChildProcess>();
let reaping = false;

/**
 * Registers `child` to be killed (SIGKILL) when this process exits, whatever the reason — an uncaught
 * error included: a run that dies must leave no service process behind. (A SIGKILL of this process runs
 * no handler; then {@link EXIT_WITH_PARENT} stops the children.)
 */
export function reapOnExit(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (reaping) return;
  reaping = true;
  process.on('exit', () => {
    for (const running of liveChildren) running.kill('SIGKILL');
  });
}
