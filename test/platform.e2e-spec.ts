import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@saga/contracts';
import {
  createPlatformTopics,
  createTestDatabase,
  deletePlatformTopics,
  freePort,
  waitFor,
  type TestDatabase,
} from '@saga/testing';

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
 * README's first command (after `npm ci`) is `npm run demo`. This runs the same script with ports,
 * databases, topics and a mail folder of its own, checks that every service is ready, places an order
 * as README's curl does and sees it CONFIRMED and e-mailed, then stops the demo as Ctrl+C would.
 */
describe('npm run demo', () => {
  const databases: TestDatabase[] = [];
  const topicPrefix = `e2e-demo-${process.pid}.`;
  let mailDir: string;
  let running: ChildProcess | undefined;
  beforeAll(async () => {
    await createPlatformTopics(topicPrefix);
    mailDir = await mkdtemp(join(tmpdir(), 'saga-demo-mail-'));
  });
  afterAll(async () => {
    // A failed run must not leave the demo (and the services it started) behind: it stops them on SIGINT.
    if (running && running.exitCode === null) {
      running.kill('SIGINT');
      await new Promise((resolve) => running!.once('exit', resolve));
    }
    await Promise.all(databases.map((database) => database.drop()));
    await deletePlatformTopics(topicPrefix);
    await rm(mailDir, { recursive: true, force: true });
  });

  it('starts the four services, confirms and e-mails an order, and stops them all on Ctrl+C', async () => {
    // Arrange
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      SMTP_PORT: String(await freePort()),
      DEMO_MAIL_DIR: mailDir,
    };
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
    const orderUrl = `http://127.0.0.1:${env.ORDER_PORT}/orders`;
    const placed = await fetch(orderUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'alice', items: [{ sku: 'KEYBOARD-01', quantity: 1 }] }),
    });
    const { orderId } = (await placed.json()) as { orderId: string };
    const order = await waitFor(
      async () => {
        const view = (await (await fetch(`${orderUrl}/${orderId}`)).json()) as { status: string };
        return view.status === 'CONFIRMED' && output.includes('e-mail to alice@') ? view : undefined;
      },
      { timeoutMs: 30_000, what: `order ${orderId} to be confirmed and e-mailed` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- demo output ---\n${output}`);
    });
    const saved = await readdir(mailDir);
    const pids = [...output.matchAll(/\(health: \/health\/ready, pid (\d+)\)/g)].map((match) =>
      Number(match[1]),
    );
    demo.kill('SIGINT');
    const code = await exited;

    // Assert
    expect(output).toContain('The platform is up:');
    expect(output).toContain(`Dashboard: http://127.0.0.1:${env.ORDER_PORT}/`);
    expect(readiness).toEqual(SERVICE_NAMES.map((name) => [name, 200]));
    expect(placed.status).toBe(202);
    expect(order).toMatchObject({ status: 'CONFIRMED', totalCents: 8_900, currency: 'EUR' });
    expect(saved).toHaveLength(1);
    await expect(readFile(join(mailDir, saved[0]), 'utf8')).resolves.toMatch(
      new RegExp(`^X-Saga-Order-Id: ${orderId}$`, 'im'),
    );
    expect(pids).toHaveLength(4);
    expect(code).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
