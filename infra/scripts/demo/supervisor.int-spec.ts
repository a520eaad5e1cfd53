import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@saga/common';
import { freePort } from '@saga/test-kit';
import { isAlive } from '../processes';
import { BUNDLE_DIR } from '../build-services';
import { infraDown } from '../infra';
import { demoPidDir, processLauncher, runPidDir, stopLeftoverInstances } from './instance-processes';
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
  const root = mkdtempSync(join(tmpdir(), 'saga-supervisor-'));
  const pidDir = runPidDir(root, process.pid);
  const started: number[] = [];
  let supervisor: Supervisor | undefined;

  afterAll(async () => {
    await supervisor?.stop();
    for (const pid of started.filter(isAlive)) process.kill(pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
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

  it('stops the instances a crashed demo left by their pid files, never those of a live demo nor another program', async () => {
    // Arrange: a demo that is gone left an instance and a pid file now naming another program; this
    // process stands for a live demo with an instance of its own.
    const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    const spawnMarked = async () =>
      spawn(process.execPath, ['-e', SERVICE], { env: { PORT: String(await freePort()) }, stdio: 'ignore' });
    const orphan = await spawnMarked();
    const live = await spawnMarked();
    const other = spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1000)'], { stdio: 'ignore' });
    started.push(orphan.pid!, live.pid!, other.pid!);
    const goneDir = runPidDir(root, gone.pid!);
    mkdirSync(goneDir, { recursive: true });
    writeFileSync(join(goneDir, 'payment-1.pid'), String(orphan.pid));
    writeFileSync(join(goneDir, 'order-1.pid'), String(other.pid));
    mkdirSync(pidDir, { recursive: true });
    writeFileSync(join(pidDir, 'inventory-1.pid'), String(live.pid));

    // Act
    const stopped = await stopLeftoverInstances(root, MARKER, () => undefined);

    // Assert
    expect(stopped).toEqual(['payment-1']);
    expect(isAlive(orphan.pid!)).toBe(false);
    expect(isAlive(other.pid!)).toBe(true);
    expect(isAlive(live.pid!)).toBe(true);
    expect(existsSync(goneDir)).toBe(false);
    expect(existsSync(join(pidDir, 'inventory-1.pid'))).toBe(true);
  });

  it('is what infra:down runs first: the instances of a demo that is gone are stopped by pid', async () => {
    // Arrange: a demo that died left an instance running one of the bundles (its command line says so)
    const local = mkdtempSync(join(root, 'local-'));
    const env = { ...process.env, SAGA_LOCAL_DIR: local };
    const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    const orphan = spawn(process.execPath, ['-e', SERVICE, join(BUNDLE_DIR, 'payment', 'main.js')], {
      env: { PORT: String(await freePort()) },
      stdio: 'ignore',
    });
    started.push(orphan.pid!);
    const dir = runPidDir(demoPidDir(env), gone.pid!);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'payment-1.pid'), String(orphan.pid));

    // Act
    await infraDown(env);

    // Assert
    expect(isAlive(orphan.pid!)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });
});
