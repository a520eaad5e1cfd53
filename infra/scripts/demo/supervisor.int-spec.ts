import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@saga/testing';
import { isAlive } from '../processes';
import { processLauncher, stopLeftoverInstances } from './instance-processes';
import { Supervisor, type InstanceStatus } from './supervisor';

/** A stand-in service: answers 200 on its port until it is killed. Its command line carries the marker. */
const SERVICE = `require('node:http').createServer((q, r) => r.end('ok')).listen(Number(process.env.PORT), '127.0.0.1'); // saga-supervisor-test`;
const MARKER = 'saga-supervisor-test';

/**
 * The supervisor over real processes: a `kill -9` of an instance gets it restarted on the same port with
 * a new pid and pid file; `stop()` leaves no process behind; a pid file a crashed demo left is stopped by
 * pid, and one naming another program is not.
 */
describe('Supervisor with real processes', () => {
  const pidDir = mkdtempSync(join(tmpdir(), 'saga-supervisor-'));
  const started: number[] = [];
  let supervisor: Supervisor | undefined;

  afterAll(async () => {
    await supervisor?.stop();
    for (const pid of started.filter(isAlive)) process.kill(pid, 'SIGKILL');
    rmSync(pidDir, { recursive: true, force: true });
  });

  it('restarts an instance killed with SIGKILL, and stops it for good on stop()', async () => {
    // Arrange
    const port = await freePort();
    const seen: string[] = [];
    supervisor = new Supervisor({
      launch: processLauncher({ args: () => ['-e', SERVICE], env: () => ({ PORT: String(port) }) }, pidDir),
      probe: async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined))?.status === 200,
      probeIntervalMs: 50,
      onChange: (status) => seen.push(status.state),
      onSpawn: (_spec, pid) => started.push(pid),
    });
    supervisor.add({ service: 'stand-in', index: 1, port });
    const current = () => supervisor!.get('stand-in-1')!;
    const first = await waitFor(() => current().state === 'up' && current(), {
      timeoutMs: 10_000,
      what: 'the instance to be up',
    });
    const pidFile = join(pidDir, 'stand-in-1.pid');
    const firstPidFile = readFileSync(pidFile, 'utf8');

    // Act
    process.kill(first.pid!, 'SIGKILL');
    const back = await waitFor<InstanceStatus | false>(
      () => current().state === 'up' && current().restarts === 1 && current(),
      { timeoutMs: 10_000, what: `the instance to be back (seen: ${seen.join(' → ')})` },
    );
    const secondPidFile = readFileSync(pidFile, 'utf8');
    const answers = (await fetch(`http://127.0.0.1:${port}/`)).status;
    await supervisor.stop();

    // Assert
    expect(firstPidFile).toBe(String(first.pid));
    expect(back).toMatchObject({ lastExit: 'SIGKILL', restarts: 1 });
    expect((back as InstanceStatus).pid).not.toBe(first.pid);
    expect(secondPidFile).toBe(String((back as InstanceStatus).pid));
    expect(answers).toBe(200);
    expect(seen).toEqual(['up', 'down', 'restarting', 'up', 'stopped']);
    expect(started.filter(isAlive)).toEqual([]);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('stops the instances a crashed demo left by their pid files, never a pid of another program', async () => {
    // Arrange: one orphan carrying the marker, and a stale pid file naming a process that does not
    const orphan = spawn(process.execPath, ['-e', SERVICE], {
      env: { PORT: String(await freePort()) },
      stdio: 'ignore',
    });
    const other = spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1000)'], { stdio: 'ignore' });
    started.push(orphan.pid!, other.pid!);
    writeFileSync(join(pidDir, 'payment-1.pid'), String(orphan.pid));
    writeFileSync(join(pidDir, 'order-1.pid'), String(other.pid));

    // Act
    const stopped = await stopLeftoverInstances(pidDir, MARKER, () => undefined);

    // Assert
    expect(stopped).toEqual(['payment-1']);
    expect(isAlive(orphan.pid!)).toBe(false);
    expect(isAlive(other.pid!)).toBe(true);
    expect(existsSync(join(pidDir, 'payment-1.pid'))).toBe(false);
  });
});
