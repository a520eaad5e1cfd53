import { BrokerFreezer, FreezeRefused } from './broker-freezer';

describe('BrokerFreezer', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-12-04T12:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  function freezer({ pid }: { pid?: number } = { pid: 4242 }) {
    const signals: string[] = [];
    return {
      signals,
      freezer: new BrokerFreezer(
        () => pid,
        (target, signal) => void signals.push(`${signal} ${target}`),
      ),
    };
  }

  it('stops the broker and lets it run again after the given seconds', async () => {
    // Arrange
    const { freezer: broker, signals } = freezer();

    // Act
    const frozen = broker.freeze(5);
    await jest.advanceTimersByTimeAsync(4999);
    const before = [...signals];
    await jest.advanceTimersByTimeAsync(1);

    // Assert
    expect(frozen).toEqual({ state: 'frozen', pid: 4242, frozenUntil: Date.now() });
    expect(before).toEqual(['SIGSTOP 4242']);
    expect(signals).toEqual(['SIGSTOP 4242', 'SIGCONT 4242']);
    expect(broker.state()).toEqual({ state: 'running', pid: 4242 });
  });

  it('resumes at once when the demo stops, and only once', async () => {
    // Arrange
    const { freezer: broker, signals } = freezer();
    broker.freeze(60);

    // Act
    broker.resume();
    broker.resume();
    await jest.advanceTimersByTimeAsync(60_000);

    // Assert
    expect(signals).toEqual(['SIGSTOP 4242', 'SIGCONT 4242']);
  });

  it.each([0, 61, 1.5, Number.NaN])('refuses %p seconds', (seconds) => {
    // Arrange
    const { freezer: broker, signals } = freezer();

    // Act
    const freeze = () => broker.freeze(seconds);

    // Assert
    expect(freeze).toThrow(RangeError);
    expect(signals).toEqual([]);
  });

  it('refuses a broker it did not start, and a second freeze', () => {
    // Arrange
    const external = freezer({});
    const ours = freezer();
    ours.freezer.freeze(10);

    // Act
    const freezeExternal = () => external.freezer.freeze(10);
    const freezeTwice = () => ours.freezer.freeze(10);

    // Assert
    expect(freezeExternal).toThrow(FreezeRefused);
    expect(freezeTwice).toThrow('frozen already');
    expect(external.signals).toEqual([]);
    expect(external.freezer.state()).toEqual({ state: 'external' });
    expect(ours.signals).toEqual(['SIGSTOP 4242']);
  });
});
