import { linesNaming } from './chaos-evidence';

describe('linesNaming (the services’ log lines kept for a flagged order)', () => {
  const order = '63397940-7425-4b93-9db6-a3753b003b14';
  const other = 'ab401291-de1f-4c2a-9d4d-3454f0d0e27c';

  it('keeps the lines naming the order, prefixed by their file, and no other', () => {
    // Arrange
    const logs = [
      { file: 'order-1.log', lines: [`order ${order} cancelled: out of stock`, `order ${other} confirmed`] },
      { file: 'payment-2.log', lines: [`refunded ${order}`] },
    ];

    // Act
    const lines = linesNaming(logs, order);

    // Assert
    expect(lines).toEqual([
      `order-1.log: order ${order} cancelled: out of stock`,
      `payment-2.log: refunded ${order}`,
    ]);
  });

  it("cuts a relay's batch line to the order's events, with their place in the batch, and the answers", () => {
    // Arrange
    const line =
      `outbox relay order-1: sent 3 [e1 order.placed.v1 ${other}, e2 order.cancelled.v1 ${order}, ` +
      `e3 order.placed.v1 ${other}] answered [order.events/2@40, order.events/4@17]`;

    // Act
    const [kept] = linesNaming([{ file: 'order-1.log', lines: [line] }], order);

    // Assert
    expect(kept).toBe(
      `order-1.log: outbox relay order-1: sent 3 [… #1 e2 order.cancelled.v1 ${order} …] ` +
        'answered [order.events/2@40, order.events/4@17]',
    );
  });
});
