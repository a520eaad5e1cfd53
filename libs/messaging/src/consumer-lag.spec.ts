import { partitionLags } from './consumer-lag';

describe('partitionLags', () => {
  it('is the end offset minus the committed one, or the whole partition when nothing is committed', () => {
    // Arrange
    const ends = [
      {
        topic: 'order.events',
        offsets: [
          { partition: 0, high: '100', low: '0' },
          { partition: 1, high: '50', low: '20' },
          { partition: 2, high: '10', low: '0' },
        ],
      },
      { topic: 'payment.events', offsets: [{ partition: 0, high: '7', low: '3' }] },
    ];
    const committed = [
      {
        topic: 'order.events',
        partitions: [
          { partition: 0, offset: '90' },
          { partition: 1, offset: '-1' },
          { partition: 2, offset: '12' },
        ],
      },
    ];

    // Act
    const lags = partitionLags(ends, committed);

    // Assert
    expect(lags).toEqual([
      { topic: 'order.events', partition: 0, lag: 10 },
      { topic: 'order.events', partition: 1, lag: 30 },
      { topic: 'order.events', partition: 2, lag: 0 },
      { topic: 'payment.events', partition: 0, lag: 4 },
    ]);
  });
});
