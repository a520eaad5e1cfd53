import type { DataSource, EntityManager } from 'typeorm';
import { OverBudget, withinBudget } from '@saga/platform';
import type { UnsettledOrders } from './order-admission';
import { PlaceOrderService } from './place-order.service';

const ORDER = { customerId: 'c-1', items: [{ sku: 'WIDGET', quantity: 2 }] };

/**
 * A database that answers the statements placing an order and says how each transaction ended; every
 * statement takes `statementMs` on the test's clock.
 */
function fakeDatabase(statementMs: number) {
  let now = 0;
  const outcomes: string[] = [];
  const query = (sql: string): Promise<unknown[]> => {
    now += statementMs;
    if (sql.includes('FROM catalog_products'))
      return Promise.resolve([
        { sku: 'WIDGET', name: 'Widget', price_cents: '500', currency: 'EUR', status: 'ACTIVE' },
      ]);
    return Promise.resolve(sql.includes('INSERT INTO orders') ? [{ id: 'inserted' }] : []);
  };
  const manager = { query, queryRunner: { isTransactionActive: true } } as unknown as EntityManager;
  const dataSource = {
    query,
    transaction: async (work: (manager: EntityManager) => Promise<unknown>) => {
      try {
        const result = await work(manager);
        outcomes.push('COMMIT');
        return result;
      } catch (error) {
        outcomes.push('ROLLBACK');
        throw error;
      }
    },
  } as unknown as DataSource;
  return { dataSource, outcomes, clock: () => now };
}

describe('PlaceOrderService within a request budget', () => {
  const unsettled = { placed: jest.fn() } as unknown as UnsettledOrders;

  it('commits when the order is written within the budget', async () => {
    // Arrange: four statements of 10 ms, a budget of 100 ms
    const db = fakeDatabase(10);
    const service = new PlaceOrderService(db.dataSource, unsettled);

    // Act
    const placed = await withinBudget(100, () => service.place(ORDER), db.clock);

    // Assert
    expect(placed).toMatchObject({ status: 'PENDING' });
    expect(db.outcomes).toEqual(['COMMIT']);
  });

  it('rolls back instead of committing when the budget ran out while the order was written', async () => {
    // Arrange: the catalog read (40 ms) is within 100 ms; the writes take it past
    const db = fakeDatabase(40);
    const service = new PlaceOrderService(db.dataSource, unsettled);

    // Act
    const outcome = await withinBudget(100, () => service.place(ORDER), db.clock).catch(
      (error: unknown) => error,
    );

    // Assert
    expect(outcome).toBeInstanceOf(OverBudget);
    expect(db.outcomes).toEqual(['ROLLBACK']);
  });

  it('starts no transaction when the budget is spent before it', async () => {
    // Arrange: the catalog read alone takes the whole budget
    const db = fakeDatabase(150);
    const service = new PlaceOrderService(db.dataSource, unsettled);

    // Act
    const outcome = await withinBudget(100, () => service.place(ORDER), db.clock).catch(
      (error: unknown) => error,
    );

    // Assert
    expect(outcome).toBeInstanceOf(OverBudget);
    expect(db.outcomes).toEqual([]);
  });
});
