import type { DataSource } from 'typeorm';
import { ConfigError } from '@saga/platform';
import { UnsettledOrders, loadOrderAdmissionConfig, type OrderAdmissionConfig } from './order-admission';

/** A data source whose count of open orders is `open.count`, or fails while `open.down`. */
function fakeDatabase() {
  const open = { count: 0, down: false };
  const dataSource = {
    query: () =>
      open.down ? Promise.reject(new Error('connection refused')) : Promise.resolve([{ count: open.count }]),
  } as unknown as DataSource;
  return { open, dataSource };
}

const CONFIG: OrderAdmissionConfig = {
  concurrency: 8,
  queue: 64,
  maxWaitMs: 100,
  maxUnsettled: 3,
  sampleIntervalMs: 100,
};

describe('UnsettledOrders', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('refuses once the last count plus the orders placed here since reach the bound, and admits again once counted lower', async () => {
    // Arrange
    const { open, dataSource } = fakeDatabase();
    const unsettled = new UnsettledOrders(dataSource, CONFIG);
    open.count = 1;
    await unsettled.sample();

    // Act
    const belowBound = unsettled.backpressure();
    unsettled.placed();
    unsettled.placed();
    const atBound = unsettled.backpressure();
    open.count = 1; // the saga settled them meanwhile
    await unsettled.sample();
    const afterCount = unsettled.backpressure();

    // Assert
    expect(belowBound).toBeUndefined();
    expect(atBound).toEqual({
      reason: '3 orders not settled yet (ORDER_MAX_UNSETTLED 3)',
      retryAfterMs: 1000,
    });
    expect(afterCount).toBeUndefined();
    expect(unsettled.estimate()).toBe(1);
  });

  it('applies no bound without a recent count: before the first, or when the database cannot be counted', async () => {
    // Arrange
    const { open, dataSource } = fakeDatabase();
    const unsettled = new UnsettledOrders(dataSource, CONFIG);
    const beforeAnyCount = unsettled.estimate();
    open.count = 10;
    await unsettled.sample();
    const full = unsettled.backpressure();

    // Act: the database goes away; the last count ages past three periods
    open.down = true;
    await unsettled.sample();
    jest.advanceTimersByTime(3 * CONFIG.sampleIntervalMs + 1);

    // Assert
    expect(beforeAnyCount).toBeUndefined();
    expect(full?.reason).toBe('10 orders not settled yet (ORDER_MAX_UNSETTLED 3)');
    expect(unsettled.estimate()).toBeUndefined();
    expect(unsettled.backpressure()).toBeUndefined();
  });

  it('applies no bound at all with ORDER_MAX_UNSETTLED=0', async () => {
    // Arrange
    const { open, dataSource } = fakeDatabase();
    const unsettled = new UnsettledOrders(dataSource, { ...CONFIG, maxUnsettled: 0 });
    open.count = 1_000_000;

    // Act
    await unsettled.sample();

    // Assert
    expect(unsettled.backpressure()).toBeUndefined();
  });
});

describe('loadOrderAdmissionConfig', () => {
  it('has the documented defaults', () => {
    expect(loadOrderAdmissionConfig({})).toEqual({
      concurrency: 8,
      queue: 64,
      maxWaitMs: 100,
      targetMs: 100,
      budgetMs: 2000,
      maxUnsettled: 1000,
      sampleIntervalMs: 100,
    });
  });

  it('names a bad variable', () => {
    expect(() => loadOrderAdmissionConfig({ ORDER_ADMISSION_CONCURRENCY: '0' })).toThrow(ConfigError);
    expect(() => loadOrderAdmissionConfig({ ORDER_MAX_UNSETTLED: 'many' })).toThrow(/ORDER_MAX_UNSETTLED/);
  });
});
