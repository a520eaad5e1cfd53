import { WaitTimeoutError, waitFor } from './wait-for';

describe('waitFor', () => {
  it('resolves with the first value that is not false or undefined', async () => {
    // Arrange
    let calls = 0;

    // Act
    const result = waitFor(() => (++calls >= 3 ? `after ${calls}` : false), {
      timeoutMs: 1000,
      intervalMs: 1,
      what: 'x',
    });

    // Assert
    await expect(result).resolves.toBe('after 3');
  });

  it('treats a throwing check as not yet and reports its error at the deadline', async () => {
    // Act
    const result = waitFor(
      () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 30, intervalMs: 5, what: 'the broker' },
    );

    // Assert
    await expect(result).rejects.toThrow(WaitTimeoutError);
    await expect(result).rejects.toThrow(/waiting for the broker; last seen: Error: connection refused/);
  });

  it('reports the last value seen when the condition never holds', async () => {
    await expect(waitFor(() => false, { timeoutMs: 20, intervalMs: 5, what: 'ready' })).rejects.toThrow(
      /last seen: false/,
    );
  });
});
