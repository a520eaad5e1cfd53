import { existsSync, readFileSync, rmSync } from 'node:fs';
import { waitFor } from '@saga/common';

/** Whether a process with this pid exists (and is not a zombie we could reap). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a live process, or undefined where /proc cannot tell (not Linux, or gone). */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/**
 * The pid recorded in `file`, if the file exists and names a live process that is still the one we
 * started: its command line must contain `marker` (a stale pid file may name a pid reused by another
 * program after a reboot, and that one must never be signalled). Where /proc is missing, liveness alone.
 */
export function livePid(file: string, marker: string): number | undefined {
  if (!existsSync(file)) {
    return undefined;
  }
  const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    return undefined;
  }
  const command = commandLine(pid);
  return command === undefined || command.includes(marker) ? pid : undefined;
}

/**
 * Stops the process by its pid: SIGTERM, then SIGKILL if it has not exited after `graceMs`.
 * Resolves once it is gone. Only ever called with pids these scripts started.
 */
export async function stopPid(pid: number, graceMs: number): Promise<'terminated' | 'killed'> {
  signal(pid, 'SIGTERM');
  try {
    await waitFor(() => !isAlive(pid), { timeoutMs: graceMs, intervalMs: 100, what: `pid ${pid} to exit` });
    return 'terminated';
  } catch {
    signal(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), { timeoutMs: 10_000, intervalMs: 100, what: `pid ${pid} to die` });
    return 'killed';
  }
}

/** Removes a pid file if it is there. */
export function removePidFile(file: string): void {
  rmSync(file, { force: true });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
      throw error;
    }
  }
}
