import {
  Supervisor,
  backoffDelay,
  type InstanceSpec,
  type InstanceState,
  type SupervisedProcess,
} from './supervisor';

/** A process that exits only when told to (or killed), and records the signals it got. */
class FakeProcess implements SupervisedProcess {
  readonly signals: NodeJS.Signals[] = [];
  private listener?: (code: number | null, signal: NodeJS.Signals | null) => void;
  private exited = false;

  constructor(
    readonly pid: number,
    /** Whether SIGTERM ends it (a hung process ignores it). */
    private readonly obeysTerm = true,
  ) {}

  kill(signal: NodeJS.Signals): void {
    this.signals.push(signal);
    if (signal === 'SIGKILL' || (signal === 'SIGTERM' && this.obeysTerm)) this.exit(null, signal);
  }

  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    this.listener = listener;
  }

  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    if (this.exited) return;
    this.exited = true;
    this.listener?.(code, signal);
  }
}

const PAYMENT: InstanceSpec = { service: 'payment', index: 1, port: 3602 };

function harness({ ready = true, obeysTerm = true } = {}) {
  const processes: FakeProcess[] = [];
  const states: InstanceState[] = [];
  const spawned: number[] = [];
  const ended: number[] = [];
  const supervisor = new Supervisor({
    launch: () => {
      const process = new FakeProcess(1000 + processes.length, obeysTerm);
      processes.push(process);
      return process;
    },
    probe: () => Promise.resolve(ready),
    probeIntervalMs: 100,
    stopGraceMs: 2000,
    onChange: (status) => states.push(status.state),
    onSpawn: (_spec, pid) => spawned.push(pid),
    onExit: (_spec, pid) => ended.push(pid),
  });
  return { supervisor, processes, states, spawned, ended, last: () => processes[processes.length - 1] };
}

describe('backoffDelay', () => {
  it('doubles from 0.5 s and stays at 10 s', () => {
    // Act
    const delays = [1, 2, 3, 4, 5, 6, 7, 20].map((failures) => backoffDelay(failures));

    // Assert
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });
});

describe('Supervisor', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-12-04T12:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('marks an instance up once its probe answers', async () => {
    // Arrange
    const { supervisor, states } = harness();

    // Act
    supervisor.add(PAYMENT);
    await jest.advanceTimersByTimeAsync(0);

    // Assert
    expect(supervisor.get('payment-1')).toMatchObject({ state: 'up', pid: 1000, restarts: 0 });
    expect(states).toEqual(['up']);
  });

  it('stays starting while the probe says not ready', async () => {
    // Arrange
    const { supervisor } = harness({ ready: false });

    // Act
    supervisor.add(PAYMENT);
    await jest.advanceTimersByTimeAsync(5000);

    // Assert
    expect(supervisor.get('payment-1')?.state).toBe('starting');
    expect(supervisor.allUp()).toBe(false);
  });

  it('restarts a killed instance after 0.5 s: down, restarting, then up again with a new pid', async () => {
    // Arrange
    const { supervisor, states, spawned, ended, last } = harness();
    supervisor.add(PAYMENT);
    await jest.advanceTimersByTimeAsync(0);

    const killedAt = Date.now();

    // Act
    last().exit(null, 'SIGKILL');
    const down = supervisor.get('payment-1');
    await jest.advanceTimersByTimeAsync(499);
    const stillDown = supervisor.get('payment-1')?.state;
    await jest.advanceTimersByTimeAsync(1);

    // Assert
    expect(down).toMatchObject({ state: 'down', lastExit: 'SIGKILL', restartAt: killedAt + 500 });
    expect(stillDown).toBe('down');
    expect(supervisor.get('payment-1')).toMatchObject({ state: 'up', pid: 1001, restarts: 1 });
    expect(states).toEqual(['up', 'down', 'restarting', 'up']);
    expect(spawned).toEqual([1000, 1001]);
    expect(ended).toEqual([1000]);
  });

  it('doubles the delay for each crash in a row, up to 10 s', async () => {
    // Arrange
    const { supervisor, last } = harness({ ready: false });
    supervisor.add(PAYMENT);
    const delays: number[] = [];

    // Act: each new process crashes at once
    for (let crash = 0; crash < 7; crash += 1) {
      last().exit(1);
      delays.push(supervisor.get('payment-1')!.restartAt! - Date.now());
      await jest.advanceTimersByTimeAsync(delays[delays.length - 1]);
    }

    // Assert
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(supervisor.get('payment-1')).toMatchObject({ restarts: 7, lastExit: 'code 1' });
  });

  it('restarts after 0.5 s again once an instance stayed up 30 s', async () => {
    // Arrange
    const { supervisor, last } = harness();
    supervisor.add(PAYMENT);
    last().exit(1);
    await jest.advanceTimersByTimeAsync(500);
    last().exit(1);
    await jest.advanceTimersByTimeAsync(1000);

    // Act
    await jest.advanceTimersByTimeAsync(30_000);
    last().exit(1);

    // Assert
    expect(supervisor.get('payment-1')!.restartAt! - Date.now()).toBe(500);
  });

  it('stops every instance and restarts none of them while stopping', async () => {
    // Arrange
    const { supervisor, processes, states } = harness();
    supervisor.add(PAYMENT);
    supervisor.add({ ...PAYMENT, index: 2, port: 3612 });
    await jest.advanceTimersByTimeAsync(0);

    // Act
    await supervisor.stop();
    await jest.advanceTimersByTimeAsync(60_000);

    // Assert
    expect(processes).toHaveLength(2);
    expect(processes.map((process) => process.signals)).toEqual([['SIGTERM'], ['SIGTERM']]);
    expect(supervisor.status().map((status) => status.state)).toEqual(['stopped', 'stopped']);
    expect(states.filter((state) => state === 'restarting')).toEqual([]);
    expect(() => supervisor.add({ ...PAYMENT, index: 3 })).toThrow('stopping');
  });

  it('cancels a pending restart on stop', async () => {
    // Arrange
    const { supervisor, processes, last } = harness();
    supervisor.add(PAYMENT);
    last().exit(null, 'SIGKILL');

    // Act
    await supervisor.stop();
    await jest.advanceTimersByTimeAsync(10_000);

    // Assert
    expect(processes).toHaveLength(1);
    expect(supervisor.get('payment-1')?.state).toBe('stopped');
  });

  it('kills an instance that ignores SIGTERM after the grace period', async () => {
    // Arrange
    const { supervisor, last } = harness({ obeysTerm: false });
    supervisor.add(PAYMENT);
    await jest.advanceTimersByTimeAsync(0);

    // Act
    const stopped = supervisor.stop();
    await jest.advanceTimersByTimeAsync(2000);
    await stopped;

    // Assert
    expect(last().signals).toEqual(['SIGTERM', 'SIGKILL']);
  });

  it('signals a running instance, and refuses one that is down or unknown', async () => {
    // Arrange
    const { supervisor, last } = harness();
    supervisor.add(PAYMENT);
    await jest.advanceTimersByTimeAsync(0);

    // Act
    const first = supervisor.signal('payment-1', 'SIGKILL');
    const whileDown = supervisor.signal('payment-1', 'SIGKILL');
    const unknown = supervisor.signal('payment-9', 'SIGKILL');

    // Assert
    expect([first, whileDown, unknown]).toEqual([true, false, false]);
    expect(last().signals).toEqual(['SIGKILL']);
    expect(supervisor.get('payment-1')?.state).toBe('down');
  });

  it('backs off longer each time an instance cannot even be launched', async () => {
    // Arrange: spawning fails every time (say, the bundle is missing)
    const supervisor = new Supervisor({
      launch: () => {
        throw new Error('spawn ENOENT');
      },
      probe: () => Promise.resolve(false),
    });
    const nextWait = () => supervisor.status()[0].restartAt! - Date.now();

    // Act
    supervisor.add(PAYMENT);
    const waits = [nextWait()];
    for (let i = 0; i < 3; i += 1) {
      await jest.advanceTimersByTimeAsync(waits[i]);
      waits.push(nextWait());
    }

    // Assert
    expect(waits).toEqual([500, 1000, 2000, 4000]);
    expect(supervisor.status()[0]).toMatchObject({ state: 'down', lastExit: 'not started: spawn ENOENT' });
    await supervisor.stop();
  });
});
