import { LatencyShedder } from './latency-shedder';

/** A shedder on a clock the test moves, drawing `draw` for every request. */
function shedderAt(targetMs: number, draw = 0.5) {
  let now = 0;
  const shedder = new LatencyShedder(
    { targetMs, intervalMs: 100 },
    () => now,
    () => draw,
  );
  return {
    shedder,
    /** One window of `count` answers that took `ms` each, then the next window begins. */
    window(ms: number, count = 10) {
      for (let i = 0; i < count; i += 1) {
        now += 100 / count;
        shedder.observe(ms);
      }
    },
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('LatencyShedder', () => {
  it('sheds nothing while the answers are faster than the target', () => {
    // Arrange
    const { shedder, window } = shedderAt(50, 0);

    // Act
    for (let i = 0; i < 20; i += 1) window(30);

    // Assert
    expect(shedder.state().shedFraction).toBe(0);
    expect(shedder.shouldShed()).toBe(false);
  });

  it('sheds a growing fraction while the answers stay slower than the target', () => {
    // Arrange
    const { shedder, window } = shedderAt(50);
    const fractions: number[] = [];

    // Act: answers at twice the target, window after window
    for (let i = 0; i < 6; i += 1) {
      window(100);
      fractions.push(shedder.state().shedFraction);
    }

    // Assert: it rises every window, by the gain times the relative error once the p90 has settled
    for (let i = 1; i < fractions.length; i += 1) expect(fractions[i]).toBeGreaterThan(fractions[i - 1]);
    expect(fractions[5] - fractions[4]).toBeCloseTo(0.1, 2);
    expect(shedder.state().p90Ms).toBeGreaterThan(95);
  });

  it('steers by the p90, not the mean: a slow tenth of the answers is enough', () => {
    // Arrange
    const { shedder, advance } = shedderAt(50);

    // Act: each window, 8 fast answers and 2 slow ones
    for (let w = 0; w < 5; w += 1) {
      for (let i = 0; i < 8; i += 1) shedder.observe(5);
      shedder.observe(200);
      shedder.observe(200);
      advance(100);
    }
    shedder.shouldShed(); // closes the last window

    // Assert
    expect(shedder.state().shedFraction).toBeGreaterThan(0.5);
  });

  it('draws against the fraction: a request is shed when its draw falls below it', () => {
    // Arrange: the same history, two draws
    const low = shedderAt(50, 0.01);
    const high = shedderAt(50, 0.99);

    // Act
    for (let i = 0; i < 3; i += 1) {
      low.window(100);
      high.window(100);
    }

    // Assert
    expect(low.shedder.shouldShed()).toBe(true);
    expect(high.shedder.shouldShed()).toBe(false);
  });

  it('comes back to shedding nothing once the answers are fast again, four times slower than it rose', () => {
    // Arrange
    const { shedder, window } = shedderAt(50);
    for (let i = 0; i < 10; i += 1) window(150);
    expect(shedder.state().shedFraction).toBeGreaterThan(0.9);

    // Act
    const fractions: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      window(10);
      fractions.push(shedder.state().shedFraction);
    }

    // Assert: p90 10 ms against 50 is an error of -0.8, a step of 0.25 × 0.1 × 0.8 once it has settled
    expect(fractions[10] - fractions[11]).toBeCloseTo(0.02, 3);
    expect(shedder.state().shedFraction).toBe(0);
  });

  it('halves the share for every quiet second, however long the silence before the next request', () => {
    // Arrange
    const { shedder, window, advance } = shedderAt(50);
    for (let i = 0; i < 10; i += 1) window(150);
    const before = shedder.state().shedFraction;

    // Act: three seconds without a request; then one arrives, after a minute more
    advance(3_000);
    shedder.shouldShed();
    const afterThree = shedder.state().shedFraction;
    advance(60_000);
    shedder.shouldShed();

    // Assert
    expect(afterThree).toBeCloseTo(before / 8, 3);
    expect(shedder.state().shedFraction).toBe(0);
  });

  it('never sheds everything: a trickle keeps measuring', () => {
    // Arrange
    const { shedder, window } = shedderAt(10);

    // Act
    for (let i = 0; i < 100; i += 1) window(1_000);

    // Assert
    expect(shedder.state().shedFraction).toBeLessThan(1);
  });

  it('waits for enough answers before it judges a window, one slow answer is not a trend', () => {
    // Arrange
    const { shedder, advance } = shedderAt(50);

    // Act: one slow answer, then the window's time passes
    shedder.observe(500);
    advance(150);
    shedder.shouldShed();

    // Assert
    expect(shedder.state().shedFraction).toBe(0);
  });

  it('counts a request still running past the target as slow before it is answered', () => {
    // Arrange: five requests arrived at 0 and are still running; nothing has been answered
    let now = 0;
    const running = [0, 0, 0, 0, 0];
    const shedder = new LatencyShedder(
      { targetMs: 50, intervalMs: 100, inFlight: () => running },
      () => now,
      () => 0.01,
    );

    // Act
    now = 120;
    const shed = shedder.shouldShed();

    // Assert: their 120 ms so far are the window's answers
    expect(shedder.state().p90Ms).toBe(120);
    expect(shedder.state().shedFraction).toBeGreaterThan(0.1);
    expect(shed).toBe(true);
  });

  it('does not count running requests that are still within the target', () => {
    // Arrange
    let now = 0;
    const shedder = new LatencyShedder(
      { targetMs: 50, intervalMs: 100, inFlight: () => [90, 95, 100, 100, 100, 100] },
      () => now,
    );

    // Act
    now = 130;
    shedder.shouldShed();

    // Assert: no window closed (their 30-40 ms are no evidence), nothing shed
    expect(shedder.state().shedFraction).toBe(0);
    expect(shedder.state().p90Ms).toBeNaN();
  });

  it('does not start shedding for one request stuck long in little traffic', () => {
    // Arrange: one request running since 0, a few fast answers, and time passing in small steps
    let now = 0;
    const shedder = new LatencyShedder(
      { targetMs: 50, intervalMs: 100, inFlight: () => [0] },
      () => now,
      () => 0,
    );

    // Act: three seconds, a check every 10 ms, an answer of 5 ms every half second
    for (; now < 3_000; now += 10) {
      if (now % 500 === 0) shedder.observe(5);
      shedder.shouldShed();
    }

    // Assert
    expect(shedder.state().shedFraction).toBe(0);
  });

  it('ignores a time that is not a number', () => {
    // Arrange
    const { shedder, window } = shedderAt(50);

    // Act
    window(Number.NaN);
    window(100);

    // Assert: steered by the real answers only, and still a number
    expect(shedder.state().shedFraction).toBeGreaterThan(0);
  });

  it('refuses a target that is not a positive number', () => {
    expect(() => new LatencyShedder({ targetMs: 0 })).toThrow('invalid latency target');
  });
});
