import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Waits (in a detached shell, checking every second) for the run's process to be gone, then stops the
 * pids the file lists — only those that are still Kafka processes — with SIGTERM, and SIGKILL those still
 * there 30 s later.
 * A run that ends in any way of its own clears the file first, and the shell then stops nothing.
 */
const SCRIPT = `
runner=$1; file=$2
while kill -0 "$runner" 2>/dev/null; do sleep 1; done
[ -f "$file" ] || exit 0
pids=$(cat "$file"); rm -f "$file"
ours=""
for p in $pids; do grep -q kafka "/proc/$p/cmdline" 2>/dev/null && ours="$ours $p"; done
[ -n "$ours" ] || exit 0
kill -TERM $ours 2>/dev/null
for i in $(seq 30); do
  alive=""; for p in $ours; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ -n "$alive" ] || exit 0
  sleep 1
done
kill -KILL $ours 2>/dev/null
exit 0
`;

/** What a run tells its {@link watchBrokers} watchdog. */
export interface BrokerWatchdog {
  /** The watchdog's own pid (it ends once the run is gone and it did its work). */
  readonly pid: number;
  /** The brokers the run started and still runs (after a start or a restart of one). */
  record(pids: readonly number[]): void;
  /** The run stops its brokers itself: the watchdog is to stop nothing. */
  clear(): void;
}

/**
 * The brokers a run starts outlive it when it is killed with SIGKILL: no handler of its own runs. This
 * leaves a small detached watchdog behind that stops them once the run's process is gone (the service
 * processes stop themselves: exit-with-parent.cjs). `file` lists their pids.
 */
export function watchBrokers(file: string, runner: number = process.pid): BrokerWatchdog {
  mkdirSync(dirname(file), { recursive: true });
  rmSync(file, { force: true });
  const shell = spawn('sh', ['-c', SCRIPT, 'saga-broker-watchdog', String(runner), file], {
    detached: true,
    stdio: 'ignore',
  });
  shell.unref();
  return {
    pid: shell.pid!,
    record: (pids) => (pids.length ? writeFileSync(file, pids.join('\n')) : rmSync(file, { force: true })),
    clear: () => rmSync(file, { force: true }),
  };
}
