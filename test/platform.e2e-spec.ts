import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@saga/contracts';
import { createTestDatabase, freePort, waitFor, type TestDatabase } from '@saga/testing';

const REPO_ROOT = join(__dirname, '..');
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * README's first command (after `npm ci`) is `npm run demo`. This runs the same script with ports and
 * databases of its own, checks that every service is ready, then stops it as Ctrl+C would.
 */
describe('npm run demo', () => {
  const databases: TestDatabase[] = [];
  let running: ChildProcess | undefined;
  afterAll(async () => {
    // A failed run must not leave the demo (and the services it started) behind: it stops them on SIGINT.
    if (running && running.exitCode === null) {
      running.kill('SIGINT');
      await new Promise((resolve) => running!.once('exit', resolve));
    }
    await Promise.all(databases.map((database) => database.drop()));
  });

  it('starts the four built services, all ready, and stops them all on Ctrl+C', async () => {
    // Arrange
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of SERVICE_NAMES) {
      const database = await createTestDatabase(`demo_${name}`);
      databases.push(database);
      env[`${name.toUpperCase()}_PORT`] = String(await freePort());
      env[`${name.toUpperCase()}_DATABASE_URL`] = database.url;
    }
    const demo = spawn(
      process.execPath,
      [require.resolve('tsx/cli'), join(REPO_ROOT, 'infra/scripts/platform.ts')],
      {
        cwd: REPO_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    demo.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => demo.on('exit', (code) => resolve(code)));
    running = demo;

    // Act
    await waitFor(() => output.includes('Press Ctrl+C to stop.') || (demo.exitCode !== null && output), {
      timeoutMs: 100_000,
      what: 'the demo to report the platform up',
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n--- demo output ---\n${output}`);
    });
    const readiness = await Promise.all(
      SERVICE_NAMES.map(async (name) => {
        const response = await fetch(`http://127.0.0.1:${env[`${name.toUpperCase()}_PORT`]}/health/ready`);
        return [name, response.status] as const;
      }),
    );
    const pids = [...output.matchAll(/\(health: \/health\/ready, pid (\d+)\)/g)].map((match) =>
      Number(match[1]),
    );
    demo.kill('SIGINT');
    const code = await exited;

    // Assert
    expect(output).toContain('The platform is up:');
    expect(readiness).toEqual(SERVICE_NAMES.map((name) => [name, 200]));
    expect(pids).toHaveLength(4);
    expect(code).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
