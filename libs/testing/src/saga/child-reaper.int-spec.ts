import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '@saga/common';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

/** Whether a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process the tests started, killed at the end whatever happened (a failed test leaves none). */
const started: number[] = [];

afterAll(() => {
  for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

/**
 * Starts a parent process that starts an idle "service" child the way ProcessPlatform does (with the
 * preload, registered to be reaped), prints the child's pid, then runs `then`. Resolves the two pids.
 */
async function parentWithChild(
  then: string,
): Promise<{ parent: number; child: number; exited: Promise<unknown> }> {
  const script = `
    const { spawn } = require('node:child_process');
    const { EXIT_WITH_PARENT, exitWithParentEnv, reapOnExit } = require('./libs/testing/src/saga/child-reaper');
    const child = spawn(process.execPath, ['--require', EXIT_WITH_PARENT, '-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
      env: { ...process.env, ...exitWithParentEnv() },
    });
    reapOnExit(child);
    console.log('child ' + child.pid);
    ${then}
  `;
  const parent = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise((resolve) => parent.once('exit', resolve));
  let output = '';
  parent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const child = await waitFor(() => Number(/child (\d+)/.exec(output)?.[1]) || undefined, {
    timeoutMs: 30_000,
    what: `the parent to start its child (output: ${output})`,
  });
  started.push(parent.pid!, child);
  return { parent: parent.pid!, child, exited };
}

/**
 * The chaos run must leave no process behind however it ends (issue 18): the service processes it starts
 * die with it — killed by its exit handler when it crashes, or stopping themselves (the preload) when it
 * is killed outright and no handler of its own runs.
 */
describe('the service processes a run starts', () => {
  it('are killed when the run crashes on an error nothing caught', async () => {
    // Arrange / Act
    const { child, exited } = await parentWithChild(
      "setTimeout(() => { throw new Error('the run crashed'); }, 100);",
    );
    await exited;

    // Assert
    await waitFor(() => !alive(child) || undefined, { timeoutMs: 5_000, what: `child ${child} to be gone` });
    expect(alive(child)).toBe(false);
  });

  it('stop by themselves when the run is killed with SIGKILL', async () => {
    // Arrange
    const { parent, child, exited } = await parentWithChild('setInterval(() => {}, 1000);');

    // Act
    process.kill(parent, 'SIGKILL');
    await exited;

    // Assert: the preload looks twice a second, then the child's own SIGTERM ends it
    await waitFor(() => !alive(child) || undefined, {
      timeoutMs: 10_000,
      what: `child ${child} to stop itself`,
    });
    expect(alive(child)).toBe(false);
  });
});
