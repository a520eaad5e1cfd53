import { findMaxRate } from './rate-search';

/** A fake system that sustains every rate up to `capacity`. */
const system = (capacity: number) => {
  const tried: number[] = [];
  const trial = (rate: number) => {
    tried.push(rate);
    return Promise.resolve({ rate, sustainable: rate <= capacity });
  };
  return { trial, tried };
};

describe('findMaxRate', () => {
  it('doubles until a rate fails, then bisects to the resolution', async () => {
    // Arrange
    const { trial, tried } = system(230);

    // Act
    const result = await findMaxRate(trial, { startRate: 50, maxRate: 2000, resolution: 0.1, maxTrials: 20 });

    // Assert: 50, 100, 200 hold, 400 fails; then 300 ✘, 250 ✘, 225 ✔, 238 ✘ → 225 (within 10 %)
    expect(tried).toEqual([50, 100, 200, 400, 300, 250, 225, 238]);
    expect(result.maxRate).toBe(225);
    expect(result.best).toEqual({ rate: 225, sustainable: true });
    expect(result.trials).toHaveLength(8);
  });

  it('stops at the ceiling when every rate holds', async () => {
    // Arrange
    const { trial, tried } = system(10_000);

    // Act
    const result = await findMaxRate(trial, { startRate: 50, maxRate: 300, resolution: 0.1, maxTrials: 20 });

    // Assert
    expect(tried).toEqual([50, 100, 200, 300]);
    expect(result.maxRate).toBe(300);
  });

  it('answers 0 when even the first rate fails, bisecting below it', async () => {
    // Arrange
    const { trial } = system(0);

    // Act
    const result = await findMaxRate(trial, { startRate: 50, maxRate: 300, resolution: 0.1, maxTrials: 3 });

    // Assert
    expect(result.maxRate).toBe(0);
    expect(result.best).toBeUndefined();
    expect(result.trials.every((t) => !t.sustainable)).toBe(true);
  });

  it('never runs more trials than allowed', async () => {
    // Arrange
    const { trial, tried } = system(777);

    // Act
    const result = await findMaxRate(trial, { startRate: 10, maxRate: 5000, resolution: 0.01, maxTrials: 5 });

    // Assert
    expect(tried).toHaveLength(5);
    expect(result.maxRate).toBe(160);
  });
});
