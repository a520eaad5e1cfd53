import { NotifiedLoop, type NotifiedLoopOptions } from './notified-loop';

/** A loop whose rounds never connect: enough for its retry and wake-up rules. */
function loopOf(round: (loop: NotifiedLoop) => Promise<void>, overrides: Partial<NotifiedLoopOptions> = {}) {
  const warnings: string[] = [];
  const errors: string[] = [];
  const loop: NotifiedLoop = new NotifiedLoop({
    channel: 'saga_test',
    connection: {},
    retryDelayMs: 1000,
    label: 'test worker',
    logger: { warn: (message) => warnings.push(message) },
    errorPrefix: 'database: ',
    round: () => round(loop),
    onError: (message) => errors.push(message),
    ...overrides,
  });
  return { loop, warnings, errors };
}

describe('NotifiedLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('reports a failed round and runs the next one after the retry delay', async () => {
    // Arrange: the first round fails, the others wait for a NOTIFY
    let rounds = 0;
    const reconnecting = jest.fn();
    const { loop, warnings, errors } = loopOf(
      async (self) => {
        rounds += 1;
        if (rounds === 1) throw new Error('connection refused');
        await self.pause(60_000, true);
      },
      { onReconnecting: reconnecting },
    );

    // Act
    await loop.start(); // resolves after the first attempt, here a failure
    const roundsBeforeDelay = rounds;
    await jest.advanceTimersByTimeAsync(1000);
    const roundsAfterDelay = rounds;
    await loop.stop();

    // Assert
    expect(roundsBeforeDelay).toBe(1);
    expect(roundsAfterDelay).toBe(2);
    expect(errors).toEqual(['database: connection refused']);
    expect(warnings).toEqual(['test worker: database: connection refused; reconnecting']);
    expect(reconnecting).toHaveBeenCalledTimes(1);
    expect(loop.running).toBe(false);
  });

  it('ends a pause at once when a NOTIFY came since the worker cleared the flag, and at stop', async () => {
    // Arrange: after a first failed round (so start resolves), a round that pauses twice
    const timeline: string[] = [];
    let rounds = 0;
    const { loop } = loopOf(async (self) => {
      rounds += 1;
      if (rounds === 1) throw new Error('no database here');
      self.notified = true; // as a NOTIFY that came during the last read
      await self.pause(60_000, true);
      timeline.push(`notified pause ended at ${Date.now()}`);
      self.notified = false;
      await self.pause(60_000, true);
      timeline.push(`second pause ended at ${Date.now()}`);
    });
    await loop.start();
    const startedAt = Date.now();

    // Act
    await jest.advanceTimersByTimeAsync(1000); // the retry delay: the second round starts
    await jest.advanceTimersByTimeAsync(500);
    await loop.stop();

    // Assert
    expect(timeline).toEqual([
      `notified pause ended at ${startedAt + 1000}`,
      `second pause ended at ${startedAt + 1500}`,
    ]);
    expect(rounds).toBe(2);
  });
});
