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
