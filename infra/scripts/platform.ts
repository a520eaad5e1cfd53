/**
 * `npm run demo` — the whole platform on this machine without Docker: brings the infrastructure up,
 * builds the services if needed (the four, and any added with `npm run generate:service`), starts them,
 * waits until every `/health/ready` answers 200 and prints the URLs. Ctrl+C (or SIGTERM) stops the
 * services, then what it started of the infrastructure.
 *
 *   npm run demo [-- --instances <1–4>] [--chaos] [--build]
 *
 * Supervision: an instance that exits is started again after 0.5 s, doubling to 10 s while it keeps
 * crashing (demo/supervisor.ts); each running instance has a pid file under `.local/demo/`, so the next
 * demo or `npm run infra:down` stops what a crashed demo left. `--instances N` runs N processes of each
 * service (ports: the service's + 10, + 20, …; one consumer group). A control server on 127.0.0.1
 * (`DEMO_CONTROL_PORT`, default the order port + 100) tells the dashboard every instance's state; with
 * `--chaos` it also takes an admin's faults from the dashboard's chaos panel (demo/control-server.ts).
 *
 * Mail: unless something already listens on `SMTP_PORT` (default 1025; say Mailpit), an SMTP sink of
 * ours takes the services' e-mails, prints a line for each and saves it under `DEMO_MAIL_DIR`
 * (default .local/mail), where `npm run audit` reads them.
 *
 * Logs are pino's pretty lines (`LOG_FORMAT=json` for the JSON a deployment writes).
 *
 * Per-service overrides: `<SERVICE>_PORT` (e.g. ORDER_PORT) and `<SERVICE>_DATABASE_URL`; by default a
 * service connects as its own role, with `<SERVICE>_DB_PASSWORD` when the server asks for a password.
 * `--build` rebuilds even when dist/ exists.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { TokenVerifier, authSettingsFromEnv } from '@saga/platform';
import { startSmtpSink, type SmtpSink } from '@saga/test-kit/smtp-sink';
import { waitFor } from '@saga/common';
import { BUNDLE_DIR, buildServices, serviceEntry } from './build-services';
import { BrokerFreezer } from './demo/broker-freezer';
import { startControlServer, type ControlServer } from './demo/control-server';
import { demoChaos } from './demo/demo-chaos';
import { controlPort, instancePlan, parseDemoArgs, type DemoOptions } from './demo/demo-options';
import {
  dashboardEnv,
  dashboardOrigins,
  demoDatabases,
  demoPoolSizes,
  instanceEnv,
  servicePorts,
} from './demo/demo-services';
import { demoPidDir, processLauncher, runPidDir, stopLeftoverInstances } from './demo/instance-processes';
import { Supervisor, instanceId, type InstanceSpec, type InstanceStatus } from './demo/supervisor';
import { InfraSession } from './infra-session';
import { runningBrokerPid } from './kafka-broker';
import { REPO_ROOT, localDir } from './local-paths';
import { devTokenIssuer } from './dev-token-issuer';
import type { PlatformServiceName } from '@saga/contracts';

const log = (line: string) => console.log(`[demo] ${line}`);

/** How many times an instance may exit before the platform was ever up (then the demo gives up). */
const START_ATTEMPTS = 3;

/** Where our SMTP sink saves the e-mails (`DEMO_MAIL_DIR`). */
const mailDir = (env: NodeJS.ProcessEnv) => env.DEMO_MAIL_DIR || join(localDir(env), 'mail');

/** Our SMTP sink on `SMTP_PORT`, or nothing when another SMTP server already listens there. */
async function startMail(env: NodeJS.ProcessEnv): Promise<SmtpSink | undefined> {
  const port = Number(env.SMTP_PORT || 1025);
  const saveDir = mailDir(env);
  try {
    const sink = await startSmtpSink({
      port,
      saveDir,
      onMail: (mail) => log(`e-mail to ${mail.to.join(', ')}: "${mail.subject}" (saved in ${saveDir})`),
    });
    log(`SMTP sink on 127.0.0.1:${port}; e-mails are saved in ${saveDir}`);
    return sink;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    log(`SMTP: port ${port} is taken; the services send their e-mails to whatever listens there`);
    return undefined;
  }
}

async function ready(spec: InstanceSpec): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${spec.port}/health/ready`).catch(() => undefined);
  return response?.status === 200;
}

/** A line for each change of an instance's state once the platform is up: the terminal's version of the panel. */
function describeChange(status: InstanceStatus): string {
  switch (status.state) {
    case 'down':
      return `${status.id} exited (${status.lastExit}); restarting in ${((status.restartAt! - Date.now()) / 1000).toFixed(1)} s`;
    case 'restarting':
      return `${status.id} restarting (pid ${status.pid})`;
    case 'up':
      return status.restarts > 0
        ? `${status.id} is back (pid ${status.pid}, restart ${status.restarts})`
        : `${status.id} is up`;
    default:
      return `${status.id} ${status.state}`;
  }
}

/**
 * An instance that keeps exiting before it was ever up (a bad setting, a port taken) fails the start:
 * restarting it for 90 s would only hide the reason. Says which one, and how it ended.
 */
function failingAtStart(statuses: readonly InstanceStatus[]): string | undefined {
  const failing = statuses.find((status) => status.restarts >= START_ATTEMPTS - 1 && status.state === 'down');
  return failing && `${failing.id} exited ${START_ATTEMPTS} times while starting (last: ${failing.lastExit})`;
}

async function main(options: DemoOptions): Promise<void> {
  const env = process.env;
  const session = new InfraSession(env);
  let supervisor: Supervisor | undefined;
  let freezer: BrokerFreezer | undefined;
  let control: ControlServer | undefined;
  let mail: SmtpSink | undefined;
  let stopping = false;

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('Stopping the services…');
    // A frozen broker never lets the services leave their groups: it runs again before anything stops.
    freezer?.resume();
    await supervisor?.stop();
    rmSync(runPidDir(demoPidDir(env), process.pid), { recursive: true, force: true });
    await control?.close();
    await mail?.close();
    await session.close();
    log('Stopped.');
    process.exit(code);
  };
  // Handlers first: a Ctrl+C while the broker is still starting stops it too.
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const issuer = devTokenIssuer(env);
  let brokers: string[];
  try {
    await stopLeftoverInstances(demoPidDir(env), BUNDLE_DIR, log);
    ({ brokers } = await session.open());
  } catch (error) {
    console.error(`[demo] ${(error as Error).message}`);
    process.exit(1);
  }
  const ports = servicePorts(env);
  const plan = instancePlan(ports, options.instances);
  try {
    buildServices(options.build, log);
    mail = await startMail(env);
    const auth = env.AUTH_JWT_PUBLIC_KEY || env.AUTH_JWKS_URL ? {} : issuer.serviceEnv();
    const controlUrl = `http://127.0.0.1:${controlPort(env, ports)}`;
    const shared = {
      dashboard: dashboardEnv(ports, plan, controlUrl),
      auth,
      pools: demoPoolSizes(options.instances, env),
      brokers,
    };
    let platformUp = false;
    const demo = new Supervisor({
      launch: processLauncher(
        {
          args: (spec) => [serviceEntry(spec.service as PlatformServiceName)],
          env: (spec) => instanceEnv(env, spec, shared),
          cwd: REPO_ROOT,
          output: (id, line, stream) =>
            (stream === 'stdout' ? process.stdout : process.stderr).write(`${id.padEnd(14)} | ${line}\n`),
        },
        runPidDir(demoPidDir(env), process.pid),
      ),
      probe: ready,
      onChange: (status) => (platformUp || status.state === 'down' ? log(describeChange(status)) : undefined),
    });
    supervisor = demo;
    const brokerFreezer = new BrokerFreezer(() => runningBrokerPid(session.nodes[0]));
    freezer = brokerFreezer;
    control = await startControlServer({
      port: controlPort(env, ports),
      origins: dashboardOrigins(plan),
      verifier: new TokenVerifier(authSettingsFromEnv({ ...env, ...auth })),
      status: () => ({ chaos: options.chaos, instances: demo.status(), broker: brokerFreezer.state() }),
      chaos: options.chaos
        ? demoChaos({
            supervisor: demo,
            freezer: brokerFreezer,
            databases: demoDatabases(env),
            brokers,
            topicPrefix: env.KAFKA_TOPIC_PREFIX ?? '',
            log,
          })
        : undefined,
    });
    // Instance 1 of each service first: its start runs the migrations and the seeds.
    for (const batch of [plan.filter((spec) => spec.index === 1), plan.filter((spec) => spec.index > 1)]) {
      batch.forEach((spec) => demo.add(spec));
      const ids = batch.map(instanceId);
      const outcome = await waitFor(() => (demo.allUp(ids) ? 'up' : failingAtStart(demo.status())), {
        timeoutMs: 90_000,
        intervalMs: 250,
        what: 'every service to be ready',
      });
      if (outcome !== 'up') throw new Error(`${outcome}; see its lines above. Stopping everything.`);
    }
    platformUp = true;
  } catch (error) {
    console.error(`[demo] ${(error as Error).message}`);
    await stop(1);
    return;
  }
  log('The platform is up:');
  for (const status of supervisor.status()) {
    const name = options.instances > 1 ? status.id : status.service;
    log(`  ${name.padEnd(14)} http://127.0.0.1:${status.port}  (health: /health/ready, pid ${status.pid})`);
  }
  log(`  Kafka          ${brokers.join(',')}`);
  log(
    `  E-mails        ${mail ? `saved in ${mailDir(env)}` : `sent to the SMTP server on port ${env.SMTP_PORT || 1025}`}`,
  );
  log(
    `  Control        ${control.url}/status${options.chaos ? '  (chaos on: the dashboard has its panel)' : ''}`,
  );
  log('');
  // The token rides in the fragment, which the browser never sends: it stays out of every log.
  const adminToken = await issuer.mint({ admin: 'demo-admin' }, { ttlSeconds: 12 * 3600 });
  log(`  Dashboard: http://127.0.0.1:${ports.order}/#token=${adminToken}`);
  log('             <- open it (an admin token for 12 h): place orders, watch the saga live');
  log('');
  log('Try (a customer token from the local dev key; `npm run token` alone prints its usage):');
  log(`  curl -si -X POST http://127.0.0.1:${ports.order}/orders -H "content-type: application/json" \\`);
  log('       -H "Authorization: Bearer $(npm run -s token -- --customer alice)" \\');
  log(`       -d '{"items":[{"sku":"KEYBOARD-01","quantity":1}]}'`);
  log('A service that exits is restarted. Press Ctrl+C to stop.');
}

let options: DemoOptions;
try {
  options = parseDemoArgs(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
main(options).catch((error: unknown) => {
  console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
