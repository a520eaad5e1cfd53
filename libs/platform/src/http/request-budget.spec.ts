import { OverBudget, checkBudget, withinBudget } from './request-budget';

/** A clock the test moves. */
function manualClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('request budget', () => {
  it('lets a checkpoint pass within the budget and throws OverBudget once it is spent, across awaits', async () => {
    // Arrange
    const clock = manualClock();
    const seen: string[] = [];

    // Act
    const outcome = await withinBudget(
      100,
      async () => {
        checkBudget();
        seen.push('start');
        await Promise.resolve();
        clock.advance(100);
        checkBudget(); // exactly at the deadline: still within
        seen.push('at the deadline');
        await new Promise((resolve) => setImmediate(resolve));
        clock.advance(1);
        checkBudget();
        seen.push('past it');
      },
      clock.now,
    ).catch((error: unknown) => error);

    // Assert
    expect(seen).toEqual(['start', 'at the deadline']);
    expect(outcome).toBeInstanceOf(OverBudget);
    expect((outcome as OverBudget).message).toBe('took longer than its 100 ms budget');
  });

  it('does nothing outside a budget, or with a budget of 0', () => {
    // Arrange
    const clock = manualClock();

    // Act / Assert
    expect(() => checkBudget()).not.toThrow();
    expect(
      withinBudget(
        0,
        () => {
          clock.advance(1_000_000);
          checkBudget();
          return 'done';
        },
        clock.now,
      ),
    ).toBe('done');
  });

  it('keeps concurrent requests to their own budgets', async () => {
    // Arrange
    const clock = manualClock();
    const run = (budgetMs: number) =>
      withinBudget(
        budgetMs,
        async () => {
          await new Promise((resolve) => setImmediate(resolve));
          checkBudget();
          return budgetMs;
        },
        clock.now,
      ).catch((error: unknown) => error);

    // Act: both start at once; 50 ms pass before either checks
    const [short, long] = [run(20), run(500)];
    clock.advance(50);

    // Assert
    expect(await short).toBeInstanceOf(OverBudget);
    expect(await long).toBe(500);
  });
});
