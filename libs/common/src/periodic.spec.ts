import { runPeriodically } from './periodic';

describe('runPeriodically', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs a round each interval, skips ticks while one still runs, and stop waits for it', async () => {
    // Arrange: each round lasts until finished by hand
    const finishers: (() => void)[] = [];
    const job = runPeriodically(() => new Promise<void>((resolve) => finishers.push(resolve)), 100);

    // Act
    await jest.advanceTimersByTimeAsync(350); // ticks at 100, 200, 300: the first round still runs
    const startedWhileBusy = finishers.length;
    finishers[0]();
    await jest.advanceTimersByTimeAsync(100); // tick at 400: a second round
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(500);
    const stoppedBeforeRoundEnded = stopped;
    finishers[1]();
    await stopping;

    // Assert
    expect(startedWhileBusy).toBe(1);
    expect(finishers).toHaveLength(2); // none after stop
    expect(stoppedBeforeRoundEnded).toBe(false);
    expect(stopped).toBe(true);
  });

  it('goes on after a round that rejects', async () => {
    // Arrange
    let rounds = 0;
    const job = runPeriodically(() => {
      rounds += 1;
      return Promise.reject(new Error('the database is away'));
    }, 100);

    // Act
    await jest.advanceTimersByTimeAsync(300);
    await job.stop();

    // Assert
    expect(rounds).toBe(3);
  });
});
