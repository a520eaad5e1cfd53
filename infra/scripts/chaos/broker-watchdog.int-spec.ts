import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@saga/common';
import { isAlive } from '../processes';
import { watchBrokers } from './broker-watchdog';

/** An idle process; `marker` lands in its command line (the watchdog stops only Kafka processes). */
function idle(marker: string): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', marker], { stdio: 'ignore' });
}

/**
 * The brokers a chaos run started must not outlive it, even when it is killed with SIGKILL and no handler
 * of its own runs (issue 18): the watchdog it leaves stops them once it is gone — and nothing else.
 */
describe('watchBrokers', () => {
  const started: ChildProcess[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'saga-watchdog-'));

  afterAll(() => {
    for (const child of started) child.kill('SIGKILL');
  });

  it('stops the recorded brokers once the run is killed, and leaves any other process alone', async () => {
    // Arrange: a "run", a "broker" it started, and a process that is no broker
    const run = idle('chaos-run');
    const broker = idle('kafka.Kafka fake-broker');
    const bystander = idle('not-a-broker');
    started.push(run, broker, bystander);
    const watchdog = watchBrokers(join(folder, 'killed.pids'), run.pid);
    watchdog.record([broker.pid!, bystander.pid!]);

    // Act
    run.kill('SIGKILL');

    // Assert
    await waitFor(() => !isAlive(broker.pid!) || undefined, {
      timeoutMs: 15_000,
      what: `the watchdog to stop the broker (pid ${broker.pid})`,
    });
    await waitFor(() => !isAlive(watchdog.pid) || undefined, {
      timeoutMs: 45_000,
      what: 'the watchdog to end',
    });
    expect(isAlive(bystander.pid!)).toBe(true);
  });

  it('stops nothing when the run ended its own way and cleared the list', async () => {
    // Arrange
    const run = idle('chaos-run');
    const broker = idle('kafka.Kafka fake-broker');
    started.push(run, broker);
    const watchdog = watchBrokers(join(folder, 'cleared.pids'), run.pid);
    watchdog.record([broker.pid!]);

    // Act
    watchdog.clear();
    run.kill('SIGKILL');

    // Assert: the watchdog ends, the broker (which the run would have stopped itself) still runs
    await waitFor(() => !isAlive(watchdog.pid) || undefined, {
      timeoutMs: 10_000,
      what: 'the watchdog to end',
    });
    expect(isAlive(broker.pid!)).toBe(true);
  });
});
