/**
 * `npm run chaos` — a bounded fault-injection run against a private copy of the platform on this machine:
 * several instances of every service as processes, open-loop traffic, and during it `kill -9` of service
 * instances (and of brokers, with `--brokers 3`), terminated database connections, duplicate bursts and
 * poison records. It ends with the audit of docs/design.md's invariants and a report; exit 0 only when nothing
 * was lost or applied twice. See docs/reliability.md.
 *
 *   npm run chaos [-- --orders 2000 --rate 20 --instances 2 --brokers 1|3 --kills 6 --seed 42 …]
 */
import { join } from 'node:path';
import { buildServices } from './build-services';
import { parseChaosArgs } from './chaos/chaos-options';
import { formatChaosReport } from './chaos/chaos-report';
import { runChaos } from './chaos/run-chaos';
import { chaosPassed } from './chaos/chaos-verdict';
import { InfraSession } from './infra-session';
import { localDir } from './local-paths';
import { guardRun } from './chaos/run-guard';

const log = (line: string) => console.log(`[chaos] ${line}`);

async function main(args: string[]): Promise<number> {
  let options;
  try {
    options = parseChaosArgs(args);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const session = new InfraSession(process.env, { brokers: options.brokers });
  const guard = guardRun('chaos', () => session);
  try {
    const { brokers } = await session.open();
    guard.opened();
    // Every client of the run — services, traffic, fault injection, audit — uses these brokers.
    process.env.KAFKA_BROKERS = brokers.join(',');
    buildServices(false, log);
    const logDir = join(localDir(), 'chaos', new Date().toISOString().replace(/[:.]/g, '-'));
    const report = await runChaos(options, {
      brokerNodes: session.nodes,
      restartBroker: guard.restartBroker,
      logDir,
      log,
    });
    console.log(formatChaosReport(report));
    log(`The services' logs: ${logDir}`);
    return chaosPassed(report) ? 0 : 1;
  } finally {
    await guard.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[chaos] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
