import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '@saga/common';
import { SagaHarness } from '@saga/testing';
import { DEMO_PRODUCTS } from '../apps/inventory/src/seed/demo-seed';
import { DEMO_ACCOUNTS } from '../apps/payment/src/seed/demo-seed';
import { outcomeOf, runTraffic } from '../infra/scripts/demo-traffic';
import { SERVICES } from './saga/saga-fixtures';

/**
 * `npm run demo:traffic` against a private platform seeded like the demo: four seconds at ten orders a
 * second must show every outcome, settle every order, count what the order database holds, and leave
 * docs/design.md's invariants intact.
 */
describe('demo traffic', () => {
  let saga: SagaHarness;

  beforeAll(async () => {
    saga = await SagaHarness.start('demo-traffic', SERVICES, {
      accounts: DEMO_ACCOUNTS,
      products: DEMO_PRODUCTS,
    });
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  it('places the mix, waits for every order to settle, and counts what the order database holds', async () => {
    // Act
    const summary = await runTraffic({
      rate: 10,
      durationS: 4,
      orderUrl: saga.platform.url('order'),
      token: await saga.token({ admin: 'demo-traffic' }),
      seed: 2024,
      settleTimeoutS: 60,
    });

    // Assert
    expect({ unsettled: summary.unsettled, httpErrors: summary.httpErrors, errors: summary.errors }).toEqual({
      unsettled: 0,
      httpErrors: 0,
      errors: [],
    });
    const rows = await saga.query<{ id: string; status: string; reason: string | null }>(
      'order',
      'SELECT id, status, reason FROM orders',
    );
    expect(rows.map((row) => row.id).sort()).toEqual([...summary.orderIds].sort());
    expect(summary.placed).toBe(40);
    const held: Record<string, number> = {};
    for (const row of rows)
      held[outcomeOf(row.status, row.reason)] = (held[outcomeOf(row.status, row.reason)] ?? 0) + 1;
    expect({ CONFIRMED: summary.confirmed, ...summary.cancelled }).toEqual(held);
    expect(Object.keys(held)).toEqual(
      expect.arrayContaining([
        'CONFIRMED',
        'declined: INSUFFICIENT_FUNDS',
        'out of stock',
        'cancelled by the customer',
      ]),
    );
    expect(summary.cancellations.accepted).toBe(held['cancelled by the customer']);
    expect(summary.latencyMs!.max).toBeGreaterThanOrEqual(summary.latencyMs!.p50);
    await expect(saga.audit()).resolves.toMatchObject({ violations: [] });
  });

  it('from the command line: shows progress, and on Ctrl+C stops placing and prints the summary so far', async () => {
    // Arrange
    const command = spawn(
      process.execPath,
      [
        require.resolve('tsx/cli'),
        join(__dirname, '..', 'infra/scripts/demo-traffic.ts'),
        ...['--rate', '10', '--duration', '60', '--seed', '7', '--order-url', saga.platform.url('order')],
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SAGA_TOKEN: await saga.token({ admin: 'cli' }) },
      },
    );
    let output = '';
    command.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    command.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => command.on('exit', (code) => resolve(code)));

    // Act
    await waitFor(() => /^placing .* [1-9]\d* placed/m.test(output) || command.exitCode !== null, {
      timeoutMs: 30_000,
      what: 'a progress line with orders placed',
    });
    command.kill('SIGINT');
    const code = await exited;

    // Assert
    expect(output).toMatch(/^Placing 10 orders\/s for 60 s against http:\/\/127\.0\.0\.1:\d+ \(seed 7\)$/m);
    expect(output).toMatch(/^Interrupted\. Summary \(seed 7\):$/m);
    const placed = Number(/^ {2}placed +(\d+)/m.exec(output)?.[1]);
    expect({ placed: placed > 0 && placed < 600, code: [0, 1].includes(code!) }).toEqual({
      placed: true,
      code: true,
    });
  });
});
