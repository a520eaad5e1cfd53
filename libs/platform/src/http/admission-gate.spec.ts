import { AdmissionGate, Overloaded, type Backpressure } from './admission-gate';

/** Settles pending promise callbacks (no timers involved). */
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** The outcome of `enter()` as it stands now: admitted, refused (with why), or still waiting. */
function track(entering: Promise<() => void>) {
  const state: { release?: () => void; refused?: Overloaded } = {};
  entering.then(
    (release) => (state.release = release),
    (error: Overloaded) => (state.refused = error),
  );
  return state;
}

describe('AdmissionGate', () => {
  afterEach(() => jest.useRealTimers());

  it('runs up to `concurrency` at once, queues the next in arrival order, and hands a freed slot to the oldest', async () => {
    // Arrange
    const gate = new AdmissionGate({ concurrency: 2, queue: 5, maxWaitMs: 60_000 });
    const [a, b, c, d] = [gate.enter(), gate.enter(), gate.enter(), gate.enter()].map(track);
    await flush();
    expect([a, b, c, d].map((s) => Boolean(s.release))).toEqual([true, true, false, false]);
    expect(gate.stats()).toMatchObject({ active: 2, queued: 2 });

    // Act
    b.release!();
    await flush();

    // Assert
    expect([c, d].map((s) => Boolean(s.release))).toEqual([true, false]);
    expect(gate.stats()).toMatchObject({ active: 2, queued: 1, admitted: 3 });
  });

  it('gives a slot back once however often release is called', async () => {
    // Arrange
    const gate = new AdmissionGate({ concurrency: 1, queue: 0, maxWaitMs: 0 });
    const release = await gate.enter();

    // Act
    release();
    release();

    // Assert: one slot, not two
    await gate.enter();
    await expect(gate.enter()).rejects.toThrow('queue full');
  });

  it('refuses at once when the queue is full, with a hint between 250 ms and 10 s', async () => {
    // Arrange
    const gate = new AdmissionGate({ concurrency: 1, queue: 1, maxWaitMs: 60_000 });
    await gate.enter();
    void gate.enter().catch(() => undefined);

    // Act
    const refusal = await gate.enter().catch((error: Overloaded) => error);

    // Assert
    expect(refusal).toBeInstanceOf(Overloaded);
    expect((refusal as Overloaded).reason).toBe('queue full');
    expect((refusal as Overloaded).retryAfterMs).toBeGreaterThanOrEqual(250);
    expect((refusal as Overloaded).retryAfterMs).toBeLessThanOrEqual(10_000);
    expect(gate.stats().refused).toEqual({ 'queue full': 1 });
  });

  it('refuses a request that waited `maxWaitMs` for its turn, and takes it out of the queue', async () => {
    // Arrange
    jest.useFakeTimers();
    const gate = new AdmissionGate({ concurrency: 1, queue: 3, maxWaitMs: 100 });
    const first = await gate.enter();
    const waiting = track(gate.enter());

    // Act
    jest.advanceTimersByTime(99);
    await Promise.resolve();
    const before = { ...waiting };
    jest.advanceTimersByTime(1);
    await Promise.resolve();
    await Promise.resolve();

    // Assert
    expect(before.refused).toBeUndefined();
    expect(waiting.refused?.reason).toBe('waited too long');
    expect(gate.stats()).toMatchObject({ active: 1, queued: 0 });
    first();
    expect(gate.stats()).toMatchObject({ active: 0, queued: 0 });
  });

  it('refuses while a backpressure names a backlog, with its hint jittered by at most a quarter', async () => {
    // Arrange
    let backlog = true;
    const pressure: Backpressure = () =>
      backlog ? { reason: '600 orders not settled yet', retryAfterMs: 1000 } : undefined;
    const gate = new AdmissionGate({ concurrency: 4, queue: 4, maxWaitMs: 100 }, [pressure], () => 0.99);

    // Act
    const refusal = await gate.enter().catch((error: Overloaded) => error);
    backlog = false;
    const admitted = await gate.enter();

    // Assert
    expect(refusal).toMatchObject({ reason: '600 orders not settled yet', retryAfterMs: 1245 });
    expect(typeof admitted).toBe('function');
    expect(gate.stats()).toMatchObject({ active: 1, refused: { '600 orders not settled yet': 1 } });
  });

  it('with a target, refuses a share of new requests once the admitted ones answer slower than it', async () => {
    // Arrange: a clock the test moves; every draw is a coin flip at 0.5
    let now = 0;
    const gate = new AdmissionGate(
      { concurrency: 8, queue: 8, maxWaitMs: 100, targetMs: 50 },
      [],
      () => 0.5,
      () => now,
    );

    // Act: rounds of eight requests arriving together, each answered 150 ms after it arrived
    for (let round = 0; round < 10; round += 1) {
      const arrivedAt = now;
      const entered = await Promise.all(
        Array.from({ length: 8 }, () => gate.enter(arrivedAt).catch(() => undefined)),
      );
      now += 150;
      for (const release of entered) release?.();
    }
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        gate.enter(now).then(
          (release) => (release(), 'admitted'),
          (error: Overloaded) => {
            expect(error.retryAfterMs).toBeGreaterThanOrEqual(250);
            expect(error.retryAfterMs).toBeLessThanOrEqual(1_250);
            return error.reason;
          },
        ),
      ),
    );

    // Assert: with the fraction past the draw (0.5), every new request is refused, with a short hint
    expect(gate.stats().shedFraction).toBeGreaterThan(0.5);
    expect(outcomes.every((o) => o === 'answers slower than target')).toBe(true);
    expect(gate.stats().refused['answers slower than target']).toBeGreaterThanOrEqual(20);
  });

  it('without a target, slow answers alone refuse nothing', async () => {
    // Arrange
    let now = 0;
    const gate = new AdmissionGate(
      { concurrency: 8, queue: 8, maxWaitMs: 100 },
      [],
      () => 0,
      () => now,
    );

    // Act
    for (let i = 0; i < 60; i += 1) {
      const release = await gate.enter(now);
      now += 1_000;
      release();
    }

    // Assert
    expect(gate.stats()).toMatchObject({ admitted: 60, refused: {}, shedFraction: 0 });
  });

  it('rejects limits that would admit nothing', () => {
    expect(() => new AdmissionGate({ concurrency: 0, queue: 1, maxWaitMs: 1 })).toThrow(
      'invalid admission limits',
    );
  });
});
