import { classifyCancellation, summarize } from './order-summary';

describe('summarize', () => {
  it('counts orders per status, and the cancelled ones per category and reason', () => {
    // Act
    const summary = summarize([
      { status: 'CONFIRMED', reason: null, count: 5 },
      { status: 'PENDING', reason: null, count: 2 },
      { status: 'CANCELLING', reason: 'cancelled by the customer', count: 1 },
      { status: 'CANCELLED', reason: 'payment declined: INSUFFICIENT_FUNDS', count: 3 },
      { status: 'CANCELLED', reason: 'payment declined: UNKNOWN_CUSTOMER', count: 1 },
      { status: 'CANCELLED', reason: 'stock reservation failed: OUT_OF_STOCK MONITOR-27 (0/1)', count: 3 },
      { status: 'CANCELLED', reason: 'stock reservation failed: OUT_OF_STOCK', count: 1 },
      { status: 'CANCELLED', reason: 'cancelled by the customer', count: 2 },
    ]);

    // Assert
    expect(summary).toEqual({
      total: 18,
      pending: 2,
      confirmed: 5,
      cancelling: 1,
      cancelled: {
        total: 10,
        byCategory: { declined: 4, outOfStock: 4, byCustomer: 2 },
        byReason: {
          INSUFFICIENT_FUNDS: 3,
          UNKNOWN_CUSTOMER: 1,
          OUT_OF_STOCK: 4,
          'cancelled by the customer': 2,
        },
      },
    });
  });

  it('is all zeros without orders', () => {
    expect(summarize([])).toMatchObject({ total: 0, confirmed: 0, cancelled: { total: 0, byReason: {} } });
  });
});

describe('classifyCancellation', () => {
  it.each([
    ['payment declined: CURRENCY_MISMATCH', 'declined', 'CURRENCY_MISMATCH'],
    ['stock reservation failed: UNKNOWN_SKU NOPE (0/1)', 'outOfStock', 'UNKNOWN_SKU'],
    ['stock reservation failed: ORDER_CANCELLED', 'byCustomer', 'stock reservation failed: ORDER_CANCELLED'],
    ['changed my mind', 'byCustomer', 'changed my mind'],
    ['OUT_OF_STOCK', 'byCustomer', 'OUT_OF_STOCK'],
    [null, 'byCustomer', 'cancelled'],
  ] as const)('classifies %s as %s', (reason, category, code) => {
    expect(classifyCancellation(reason)).toEqual({ category, code });
  });
});
