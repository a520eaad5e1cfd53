/** The longest freeze the chaos panel allows: longer, and the services' sessions all expire for nothing. */
export const MAX_FREEZE_SECONDS = 60;

/** What the dashboard shows of the broker. */
export interface BrokerState {
  /** `running`; `frozen` (SIGSTOP) until `frozenUntil`; `external`: not started by these scripts. */
  readonly state: 'running' | 'frozen' | 'external';
  readonly pid?: number;
  readonly frozenUntil?: number;
}

/** Why a freeze was refused: no broker of ours to freeze, or one frozen already. */
export class FreezeRefused extends Error {}

/**
 * Freezes the local broker for a while: SIGSTOP, then SIGCONT after the given seconds — a broker that
 * stops answering without closing a connection, as a long GC pause or a hung disk would. `resume()`
 * (the demo calls it on every stop) sends SIGCONT at once: a demo never leaves a frozen broker behind.
 */
export class BrokerFreezer {
  private frozen?: { pid: number; until: number; timer: NodeJS.Timeout };

  constructor(
    /** The pid of the broker these scripts started, if one runs. */
    private readonly brokerPid: () => number | undefined,
    private readonly signal: (pid: number, signal: 'SIGSTOP' | 'SIGCONT') => void = (pid, signal) =>
      process.kill(pid, signal),
  ) {}

  freeze(seconds: number): BrokerState {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_FREEZE_SECONDS) {
      throw new RangeError(`seconds must be a whole number from 1 to ${MAX_FREEZE_SECONDS}`);
    }
    if (this.frozen) throw new FreezeRefused(`the broker is frozen already (pid ${this.frozen.pid})`);
    const pid = this.brokerPid();
    if (pid === undefined) {
      throw new FreezeRefused('the broker was not started by these scripts (no live pid file): not frozen');
    }
    this.signal(pid, 'SIGSTOP');
    const until = Date.now() + seconds * 1000;
    this.frozen = { pid, until, timer: setTimeout(() => this.resume(), seconds * 1000) };
    return this.state();
  }

  /** Lets a frozen broker run again now (no-op when none is frozen). */
  resume(): void {
    const frozen = this.frozen;
    if (!frozen) return;
    clearTimeout(frozen.timer);
    this.frozen = undefined;
    try {
      this.signal(frozen.pid, 'SIGCONT');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  state(): BrokerState {
    if (this.frozen) return { state: 'frozen', pid: this.frozen.pid, frozenUntil: this.frozen.until };
    const pid = this.brokerPid();
    return pid === undefined ? { state: 'external' } : { state: 'running', pid };
  }
}
