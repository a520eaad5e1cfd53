/**
 * The demo's supervisor: keeps every service instance running. An instance that exits while the demo is
 * not stopping is started again after an exponential backoff; `stop()` ends every instance and restarts
 * none meanwhile. Processes are made by an injected {@link Launcher} and readiness is an injected probe,
 * so the state machine is tested with fakes (supervisor.spec.ts) and with real processes.
 */

/** Where an instance is in its life. `up` after a restart is what the dashboard shows as "back". */
export type InstanceState = 'starting' | 'up' | 'down' | 'restarting' | 'stopped';

/** One instance to keep running: `order-2` is `{ service: 'order', index: 2 }`. */
export interface InstanceSpec {
  readonly service: string;
  /** 1-based. */
  readonly index: number;
  readonly port: number;
}

/** A process as the supervisor needs it: its pid, a way to signal it, and its end. */
export interface SupervisedProcess {
  readonly pid: number;
  kill(signal: NodeJS.Signals): void;
  /** Called once, when the process has exited (a code, or the signal that ended it). */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
}

/** Starts the process of an instance. */
export type Launcher = (spec: InstanceSpec) => SupervisedProcess;

/** How long to wait before a restart: `initialMs` doubling to `maxMs`; back to `initialMs` after a good run. */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** A run that lasted this long counts as healthy: the next crash restarts after `initialMs` again. */
  readonly resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 10_000, resetAfterMs: 30_000 };

/** The delay before restart number `failures` in a row (1 = the first). */
export function backoffDelay(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
}

/** What `GET /status` and the dashboard show of an instance. */
export interface InstanceStatus {
  readonly id: string;
  readonly service: string;
  readonly index: number;
  readonly port: number;
  readonly state: InstanceState;
  readonly pid?: number;
  /** How many times it was started again after an exit. */
  readonly restarts: number;
  /** How its last process ended: `SIGKILL`, `code 1`. */
  readonly lastExit?: string;
  /** When the next restart is due (state `down`), ms since the epoch. */
  readonly restartAt?: number;
}

/** What the supervisor is given besides its instances. */
export interface SupervisorOptions {
  readonly launch: Launcher;
  /** Resolves true once the instance serves (its `/health/ready` answers 200). */
  readonly probe: (spec: InstanceSpec) => Promise<boolean>;
  readonly policy?: BackoffPolicy;
  /** Time between two readiness probes of a starting instance. */
  readonly probeIntervalMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. */
  readonly stopGraceMs?: number;
  /** Told of every change of state (the demo logs it). */
  readonly onChange?: (status: InstanceStatus, previous: InstanceState) => void;
  /** Told of every process started and ended: the demo keeps pid files with it. */
  readonly onSpawn?: (spec: InstanceSpec, pid: number) => void;
  readonly onExit?: (spec: InstanceSpec, pid: number) => void;
}

interface Slot {
  readonly spec: InstanceSpec;
  state: InstanceState;
  process?: SupervisedProcess;
  startedAt: number;
  failures: number;
  restarts: number;
  lastExit?: string;
  restartAt?: number;
  timer?: NodeJS.Timeout;
  exited?: Promise<void>;
}

export const instanceId = (spec: Pick<InstanceSpec, 'service' | 'index'>) => `${spec.service}-${spec.index}`;

export class Supervisor {
  private readonly slots = new Map<string, Slot>();
  private stopping = false;

  constructor(private readonly options: SupervisorOptions) {}

  /** Starts an instance and keeps it running until {@link stop}. */
  add(spec: InstanceSpec): void {
    if (this.stopping) throw new Error('the supervisor is stopping');
    const id = instanceId(spec);
    if (this.slots.has(id)) throw new Error(`${id} is supervised already`);
    const slot: Slot = { spec, state: 'starting', startedAt: 0, failures: 0, restarts: 0 };
    this.slots.set(id, slot);
    this.launch(slot, 'starting');
  }

  /** Every instance's status, in the order they were added. */
  status(): InstanceStatus[] {
    return [...this.slots.values()].map((slot) => this.describe(slot));
  }

  /** The status of one instance, if supervised. */
  get(id: string): InstanceStatus | undefined {
    const slot = this.slots.get(id);
    return slot && this.describe(slot);
  }

  /** Whether every given instance (default: all) is `up`. */
  allUp(ids: readonly string[] = [...this.slots.keys()]): boolean {
    return ids.every((id) => this.slots.get(id)?.state === 'up');
  }

  /** Sends a signal to an instance's process (the chaos panel's kill). False when it does not run. */
  signal(id: string, signal: NodeJS.Signals): boolean {
    const slot = this.slots.get(id);
    if (!slot?.process || slot.state === 'down' || slot.state === 'stopped') return false;
    slot.process.kill(signal);
    return true;
  }

  /** Stops every instance (SIGTERM, SIGKILL after the grace period); nothing is restarted from now on. */
  async stop(): Promise<void> {
    this.stopping = true;
    const grace = this.options.stopGraceMs ?? 10_000;
    await Promise.all(
      [...this.slots.values()].map(async (slot) => {
        clearTimeout(slot.timer);
        if (!slot.process || !slot.exited) {
          this.setState(slot, 'stopped');
          return;
        }
        slot.process.kill('SIGTERM');
        const killer = setTimeout(() => slot.process?.kill('SIGKILL'), grace);
        await slot.exited;
        clearTimeout(killer);
      }),
    );
  }

  private launch(slot: Slot, state: 'starting' | 'restarting'): void {
    slot.restartAt = undefined;
    let process: SupervisedProcess;
    try {
      process = this.options.launch(slot.spec);
    } catch (error) {
      slot.lastExit = `not started: ${(error as Error).message}`;
      slot.startedAt = Date.now(); // it "ran" for no time: the backoff grows, not resets
      this.crashed(slot);
      return;
    }
    slot.process = process;
    slot.startedAt = Date.now();
    this.setState(slot, state);
    this.options.onSpawn?.(slot.spec, process.pid);
    slot.exited = new Promise((resolve) =>
      process.onExit((code, signal) => {
        this.options.onExit?.(slot.spec, process.pid);
        slot.process = undefined;
        slot.exited = undefined;
        slot.lastExit = signal ?? `code ${code}`;
        if (this.stopping) this.setState(slot, 'stopped');
        else this.crashed(slot);
        resolve();
      }),
    );
    void this.probeUntilUp(slot, process);
  }

  /** Polls readiness while this process is the slot's and still starting. */
  private async probeUntilUp(slot: Slot, process: SupervisedProcess): Promise<void> {
    const interval = this.options.probeIntervalMs ?? 250;
    while (slot.process === process && (slot.state === 'starting' || slot.state === 'restarting')) {
      const ready = await this.options.probe(slot.spec).catch(() => false);
      if (ready && slot.process === process && !this.stopping) {
        this.setState(slot, 'up');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }

  private crashed(slot: Slot): void {
    const ranMs = Date.now() - slot.startedAt;
    slot.failures = ranMs >= (this.options.policy ?? DEFAULT_BACKOFF).resetAfterMs ? 1 : slot.failures + 1;
    const delay = backoffDelay(slot.failures, this.options.policy);
    slot.restartAt = Date.now() + delay;
    this.setState(slot, 'down');
    slot.timer = setTimeout(() => {
      if (this.stopping) return;
      slot.restarts += 1;
      this.launch(slot, 'restarting');
    }, delay);
  }

  private setState(slot: Slot, state: InstanceState): void {
    const previous = slot.state;
    slot.state = state;
    if (previous !== state) this.options.onChange?.(this.describe(slot), previous);
  }

  private describe(slot: Slot): InstanceStatus {
    return {
      id: instanceId(slot.spec),
      service: slot.spec.service,
      index: slot.spec.index,
      port: slot.spec.port,
      state: slot.state,
      pid: slot.process?.pid,
      restarts: slot.restarts,
      lastExit: slot.lastExit,
      restartAt: slot.restartAt,
    };
  }
}
