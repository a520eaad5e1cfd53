import { ackArgument, bigIntToLsn, lsnAfter, lsnToBigInt } from './lsn';
import { OutboxTransactions } from './outbox-transactions';

describe('WAL positions', () => {
  it('reads and writes PostgreSQL LSNs, across the 32-bit boundary', () => {
    // Act + Assert
    expect(lsnToBigInt('0/16B3748')).toBe(0x16b3748n);
    expect(lsnToBigInt('1/0')).toBe(0x100000000n);
    expect(bigIntToLsn(0x1_0000_0000n + 0xabn)).toBe('1/AB');
    expect(lsnAfter('1/0', '0/FFFFFFFF')).toBe(true);
    expect(lsnAfter('0/10', '0/10')).toBe(false);
    expect(() => lsnToBigInt('16B3748')).toThrow('not a WAL position');
  });

  it('hands the library one byte less, since it reports one byte more', () => {
    // Act + Assert
    expect(ackArgument('0/1A0')).toBe('0/19F');
    expect(ackArgument('1/0')).toBe('0/FFFFFFFF');
  });
});

describe('OutboxTransactions', () => {
  const outbox = { schema: 'public', name: 'outbox' };
  const insert = (id: number) => ({
    tag: 'insert',
    relation: outbox,
    new: {
      id: String(id),
      topic: 'order.events',
      record_key: 'k',
      headers: { ce_id: `e-${id}` },
      payload: '{}',
      created_at: new Date(1_000 * id),
    },
  });

  it("gives each committed transaction's outbox rows in insert order, with its commit's end", () => {
    // Arrange
    const transactions = new OutboxTransactions();

    // Act
    const during = [
      transactions.accept({ tag: 'begin' }),
      transactions.accept(insert(7)),
      transactions.accept({ tag: 'insert', relation: { schema: 'public', name: 'orders' }, new: {} }),
      transactions.accept(insert(5)),
    ];
    const open = transactions.inTransaction;
    const committed = transactions.accept({ tag: 'commit', commitEndLsn: '0/2A0' });

    // Assert
    expect(during).toEqual([undefined, undefined, undefined, undefined]);
    expect(open).toBe(true);
    expect(transactions.inTransaction).toBe(false);
    expect(committed).toEqual({
      endLsn: '0/2A0',
      rows: [
        {
          id: '7',
          topic: 'order.events',
          record_key: 'k',
          headers: { ce_id: 'e-7' },
          payload: '{}',
          created_ms: 7000,
        },
        {
          id: '5',
          topic: 'order.events',
          record_key: 'k',
          headers: { ce_id: 'e-5' },
          payload: '{}',
          created_ms: 5000,
        },
      ],
    });
  });

  it('gives a transaction without outbox rows too, so that its position can be confirmed', () => {
    // Arrange
    const transactions = new OutboxTransactions();

    // Act
    transactions.accept({ tag: 'begin' });
    const committed = transactions.accept({ tag: 'commit', commitEndLsn: '0/300' });

    // Assert
    expect(committed).toEqual({ rows: [], endLsn: '0/300' });
  });

  it('refuses an insert outside a transaction (a stream it does not understand)', () => {
    // Act + Assert
    expect(() => new OutboxTransactions().accept(insert(1))).toThrow('an insert outside a transaction');
  });
});
