import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@saga/common';
import { freePort } from '@saga/test-kit';
import {
  brokerAddress,
  brokerAnswers,
  brokerSettings,
  runningBrokerPid,
  startBroker,
  stopBroker,
} from '../kafka-broker';
import { BrokerFreezer } from './broker-freezer';

/** The process state letter of `/proc/<pid>/stat`: `T` is stopped (SIGSTOP). */
const processState = (pid: number) => /^\d+ \(.*\) (\w)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];

/**
 * The chaos panel's freeze on a real broker — a private one this test starts (its own folder and ports),
 * never the shared broker: it stops answering while frozen, and answers again once resumed.
 */
describe('BrokerFreezer on a real broker', () => {
  const log = () => undefined;
  let settings: ReturnType<typeof brokerSettings>;
  let freezer: BrokerFreezer | undefined;
  let home: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'saga-freeze-'));
    settings = brokerSettings({
      ...process.env,
      SAGA_LOCAL_DIR: home,
      KAFKA_PORT: String(await freePort()),
      KAFKA_CONTROLLER_PORT: String(await freePort()),
      KAFKA_HEAP: '256m',
    });
    await startBroker(settings, log);
  });

  afterAll(async () => {
    freezer?.resume();
    await stopBroker(settings, log);
    rmSync(home, { recursive: true, force: true });
  });

  it('stops the broker for the given seconds, then lets it answer again', async () => {
    // Arrange
    const pid = runningBrokerPid(settings)!;
    freezer = new BrokerFreezer(() => runningBrokerPid(settings));
    const address = [brokerAddress(settings)];

    // Act
    const frozen = freezer.freeze(5);
    // SIGSTOP reaches a many-threaded JVM asynchronously: on a busy machine /proc can still say R just
    // after kill() returns, so the stopped state is awaited (well within the 5 s freeze).
    const stateWhileFrozen = await waitFor(
      () => {
        const state = processState(pid);
        if (state !== 'T') throw new Error(`process state ${state}`);
        return state;
      },
      { timeoutMs: 1_500, intervalMs: 10, what: 'the broker process to be stopped' },
    );
    const answersWhileFrozen = await brokerAnswers(address, 1500);
    const answersAgain = await waitFor(() => brokerAnswers(address, 1500).then((up) => up || undefined), {
      timeoutMs: 20_000,
      what: 'the broker to answer after the freeze',
    });

    // Assert
    expect(frozen).toMatchObject({ state: 'frozen', pid });
    expect(stateWhileFrozen).toBe('T');
    expect(answersWhileFrozen).toBe(false);
    expect(answersAgain).toBe(true);
    expect(processState(pid)).not.toBe('T');
    expect(freezer.state()).toEqual({ state: 'running', pid });
  });
});
