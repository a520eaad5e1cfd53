import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { waitForLockWait } from '@saga/test-kit';
import { event, useRelayFixture } from '../test/relay-fixture';
import { addToOutbox } from './add-to-outbox';

describe('addToOutbox (real database)', () => {
  const fixture = useRelayFixture();
  const { add } = fixture;
  let dataSource: DataSource;
  beforeEach(() => ({ dataSource } = fixture));

  it('refuses to add outside a transaction', async () => {
    await expect(addToOutbox(dataSource.manager, event('t', randomUUID(), 0))).rejects.toThrow(
      /open transaction/,
    );
  });

  it('validates each event against its contract (validation on produce)', async () => {
    const unknown = { ...event('t', randomUUID(), 0), type: 'order.teleported.v1' };
    const invalid = { ...event('t', randomUUID(), 0), data: { orderId: 'nope' } };
    await expect(add(unknown)).rejects.toThrow('no contract declares order.teleported.v1');
    await expect(add(invalid)).rejects.toThrow(/orderId/);
  });

  it('makes a second transaction on the same key wait until the first commits, so ids follow commit order', async () => {
    // Arrange: the first transaction adds a row for the key and stays open.
    const key = randomUUID();
    let commitFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (commitFirst = resolve));
    let firstAdded!: () => void;
    const added = new Promise<void>((resolve) => (firstAdded = resolve));
    const first = dataSource.transaction(async (manager) => {
      await addToOutbox(manager, event('t', key, 1));
      firstAdded();
      await firstMayCommit;
    });
    await added;

    // Act: the second one, on the same key, must wait for the first's commit.
    const second = add(event('t', key, 2));
    await waitForLockWait(dataSource);
    commitFirst();
    await Promise.all([first, second]);
    const rows: { seq: string }[] = await dataSource.query(
      `SELECT payload::json->>'totalCents' AS seq FROM outbox WHERE record_key = $1 ORDER BY id`,
      [key],
    );

    // Assert
    expect(rows.map((row) => Number(row.seq))).toEqual([1, 2]);
  });
});
