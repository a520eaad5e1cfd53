import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PLATFORM_SERVICE_NAMES } from '@saga/contracts';
import { devTokenIssuer } from '../infra/scripts/dev-token-issuer';
import { DemoProcess } from './setup/demo-process';

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
 * as README's curl does (with a token from `npm run token`) and sees it CONFIRMED and e-mailed, then
 * stops the demo as Ctrl+C would.
 */
describe('npm run demo', () => {
  const demo = new DemoProcess('demo');
  afterAll(() => demo.remove());

  it('starts every service, confirms and e-mails an order, and stops them all on Ctrl+C', async () => {
    // Arrange
    const { env } = demo;

    // Act
    await demo.start();
    const readiness = await Promise.all(
      PLATFORM_SERVICE_NAMES.map(async (name) => {
        const response = await fetch(`http://127.0.0.1:${env[`${name.toUpperCase()}_PORT`]}/health/ready`);
        return [name, response.status] as const;
      }),
    );
    const orderUrl = `http://127.0.0.1:${env.ORDER_PORT}/orders`;
    // As README's curl: a customer token from the local dev key (npm run token -- --customer alice).
    const authorization = `Bearer ${await devTokenIssuer(env).mint({ customer: 'alice' })}`;
    const anonymous = await fetch(orderUrl, { method: 'POST' });
    const placed = await fetch(orderUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ items: [{ sku: 'KEYBOARD-01', quantity: 1 }] }),
    });
    const { orderId } = (await placed.json()) as { orderId: string };
    const order = await demo.waitForOutput(
      async () => {
        const view = (await (
          await fetch(`${orderUrl}/${orderId}`, { headers: { authorization } })
        ).json()) as {
          status: string;
        };
        return view.status === 'CONFIRMED' && demo.output.includes('e-mail to alice@') ? view : undefined;
      },
      30_000,
      `order ${orderId} to be confirmed and e-mailed`,
    );
    const saved = await readdir(demo.mailDir);
    const pids = [...demo.output.matchAll(/\(health: \/health\/ready, pid (\d+)\)/g)].map((match) =>
      Number(match[1]),
    );
    const code = await demo.stop();

    // Assert
    expect(demo.output).toContain('The platform is up:');
    expect(demo.output).toContain(`Dashboard: http://127.0.0.1:${env.ORDER_PORT}/`);
    expect(readiness).toEqual(PLATFORM_SERVICE_NAMES.map((name) => [name, 200]));
    expect(anonymous.status).toBe(401);
    expect(placed.status).toBe(202);
    expect(order).toMatchObject({ status: 'CONFIRMED', totalCents: 8_900, currency: 'EUR' });
    expect(saved).toHaveLength(1);
    await expect(readFile(join(demo.mailDir, saved[0]), 'utf8')).resolves.toMatch(
      new RegExp(`^X-Saga-Order-Id: ${orderId}$`, 'im'),
    );
    expect(pids).toHaveLength(PLATFORM_SERVICE_NAMES.length);
    expect(code).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});

/**
 * The demo supervises: with `--instances 2` it runs two processes of each service on their own ports,
 * and a `kill -9` of one (from outside, as a crash) gets it restarted instead of stopping the platform.
 */
describe('npm run demo -- --instances 2', () => {
  const demo = new DemoProcess('demo2');
  afterAll(() => demo.remove());

  it('runs two instances of each service, restarts one killed with SIGKILL, and stops them all on Ctrl+C', async () => {
    // Arrange
    await demo.start(['--instances', '2']);
    const listed = [
      ...demo.output.matchAll(
        /(\w+-\d) +http:\/\/127\.0\.0\.1:(\d+) +\(health: \/health\/ready, pid (\d+)\)/g,
      ),
    ].map(([, id, port, pid]) => ({ id, port: Number(port), pid: Number(pid) }));
    const victim = listed.find((instance) => instance.id === 'inventory-2')!;

    // Act
    process.kill(victim.pid, 'SIGKILL');
    const back = await demo.waitForOutput(
      () => /inventory-2 is back \(pid (\d+), restart 1\)/.exec(demo.output)?.[1],
      45_000,
      'inventory-2 to be restarted',
    );
    const ready = await fetch(`http://127.0.0.1:${victim.port}/health/ready`);
    const pids = [...listed.map((instance) => instance.pid), Number(back)];
    const code = await demo.stop();

    // Assert
    expect(listed.map((instance) => instance.id).sort()).toEqual(
      PLATFORM_SERVICE_NAMES.flatMap((name) => [`${name}-1`, `${name}-2`]).sort(),
    );
    expect(new Set(listed.map((instance) => instance.port)).size).toBe(2 * PLATFORM_SERVICE_NAMES.length);
    expect(listed.find((instance) => instance.id === 'order-2')!.port).toBe(Number(demo.env.ORDER_PORT) + 10);
    expect(demo.output).toMatch(/inventory-2 exited \(SIGKILL\); restarting in 0\.5 s/);
    expect(Number(back)).not.toBe(victim.pid);
    expect(ready.status).toBe(200);
    expect(demo.output).not.toContain('stopping everything');
    expect(code).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
