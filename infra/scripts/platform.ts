/**
 * `npm run demo` — the whole platform on this machine without Docker: brings the infrastructure up,
 * builds the services if needed (the four, and any added with `npm run generate:service`), starts them,
 * waits until every `/health/ready` answers 200 and prints the URLs. Ctrl+C (or SIGTERM) stops the services, then what it started of the infrastructure.
 *
 * Mail: unless something already listens on `SMTP_PORT` (default 1025; say Mailpit), an SMTP sink of
 * ours takes the services' e-mails, prints a line for each and saves it under `DEMO_MAIL_DIR`
 * (default .local/mail), where `npm run audit` reads them.
 *
 * The live saga dashboard is the order service's `/`: every service gets `DASHBOARD_PEERS` and
 * `CORS_ORIGINS` built from the ports below, so the page can read them all.
 *
 * Logs are pino's pretty lines (`LOG_FORMAT=json` for the JSON a deployment writes).
 *
 * Per-service overrides: `<SERVICE>_PORT` (e.g. ORDER_PORT) and `<SERVICE>_DATABASE_URL`; by default a
 * service connects as its own role, with `<SERVICE>_DB_PASSWORD` when the server asks for a password.
 * `--build` rebuilds even when dist/ exists.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PLATFORM_SERVICE_NAMES, SERVICE_NAMES, type PlatformServiceName } from '@saga/contracts';
import { DEFAULT_PORTS, databaseName } from '@saga/platform/config';
import { postgresServerUrl } from '@saga/testing/postgres-server';
import { serviceDatabaseUrl } from '@saga/testing/service-roles';
import { startSmtpSink, type SmtpSink } from '@saga/testing/smtp-sink';
import { waitFor } from '@saga/common';
import { buildServices, serviceEntry } from './build-services';
import { InfraSession } from './infra';
import { REPO_ROOT, localDir } from './local-paths';
import { stopPid } from './processes';
import { devTokenIssuer } from './dev-token-issuer';
import type { TokenIssuer } from '@saga/testing/token-issuer';

const log = (line: string) => console.log(`[demo] ${line}`);

interface Service {
  readonly name: PlatformServiceName;
  readonly port: number;
  readonly child: ChildProcess;
}

function prefixLines(name: string, stream: NodeJS.ReadableStream, to: NodeJS.WritableStream): void {
  let rest = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    lines.forEach((line) => to.write(`${name.padEnd(12)} | ${line}\n`));
  });
}

/** The HTTP port of each service: `<SERVICE>_PORT`, or the design's default. */
function servicePorts(env: NodeJS.ProcessEnv): Record<PlatformServiceName, number> {
  return Object.fromEntries(
    PLATFORM_SERVICE_NAMES.map((name) => [
      name,
      Number(env[`${name.toUpperCase()}_PORT`] || DEFAULT_PORTS[name]),
    ]),
  ) as Record<PlatformServiceName, number>;
}

/**
 * What the dashboard needs: the order service tells the page where the other services are
 * (`DASHBOARD_PEERS`), and every service lets that page read it (`CORS_ORIGINS`).
 */
function dashboardEnv(ports: Record<PlatformServiceName, number>): NodeJS.ProcessEnv {
  return {
    DASHBOARD_PEERS: SERVICE_NAMES.filter((name) => name !== 'order')
      .map((name) => `${name}=http://127.0.0.1:${ports[name]}`)
      .join(','),
    CORS_ORIGINS: `http://127.0.0.1:${ports.order}`,
  };
}

function startServiceProcess(
  name: PlatformServiceName,
  brokers: string[],
  env: NodeJS.ProcessEnv,
  ports: Record<PlatformServiceName, number>,
  issuer: TokenIssuer,
): Service {
  const upper = name.toUpperCase();
  const port = ports[name];
  const child = spawn(process.execPath, [serviceEntry(name)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      ...dashboardEnv(ports),
      // The local dev key's public half (`npm run token` mints with the private one), unless the
      // environment names a real issuer.
      ...(env.AUTH_JWT_PUBLIC_KEY || env.AUTH_JWKS_URL ? {} : issuer.serviceEnv()),
      PORT: String(port),
      // As the service's own role (`order_service`), which `npm run infra:up` made the database's owner.
      DATABASE_URL:
        env[`${upper}_DATABASE_URL`] ||
        serviceDatabaseUrl(postgresServerUrl(env), name, databaseName(name), env),
      KAFKA_BROKERS: brokers.join(','),
      // Readable lines in a terminal; LOG_FORMAT=json shows what a log pipeline would receive.
      LOG_FORMAT: env.LOG_FORMAT || 'pretty',
    },
  });
  prefixLines(name, child.stdout, process.stdout);
  prefixLines(name, child.stderr, process.stderr);
  return { name, port, child };
}

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

async function ready(service: Service): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${service.port}/health/ready`).catch(() => undefined);
  return response?.status === 200;
}

async function main(argv: string[]): Promise<void> {
  const env = process.env;
  const session = new InfraSession(env);
  const services: Service[] = [];
  let mail: SmtpSink | undefined;
  let stopping = false;

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('Stopping the services…');
    await Promise.all(
      services
        .filter((s) => s.child.exitCode === null && s.child.pid)
        .map((s) => stopPid(s.child.pid!, 10_000)),
    );
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
    ({ brokers } = await session.open());
  } catch (error) {
    console.error(`[demo] ${(error as Error).message}`);
    process.exit(1);
  }
  try {
    buildServices(argv.includes('--build'), log);
    mail = await startMail(env);
    const ports = servicePorts(env);
    for (const name of PLATFORM_SERVICE_NAMES) {
      const service = startServiceProcess(name, brokers, env, ports, issuer);
      service.child.on('exit', (code, signal) => {
        if (!stopping) {
          log(`${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything.`);
          void stop(1);
        }
      });
      services.push(service);
    }
    await waitFor(async () => (await Promise.all(services.map(ready))).every(Boolean) || undefined, {
      timeoutMs: 90_000,
      intervalMs: 250,
      what: 'every service to be ready',
    });
  } catch (error) {
    console.error(`[demo] ${(error as Error).message}`);
    await stop(1);
    return;
  }
  log('The platform is up:');
  for (const service of services) {
    log(
      `  ${service.name.padEnd(12)} http://127.0.0.1:${service.port}  (health: /health/ready, pid ${service.child.pid})`,
    );
  }
  log(`  Kafka        ${brokers.join(',')}`);
  log(
    `  E-mails      ${mail ? `saved in ${mailDir(env)}` : `sent to the SMTP server on port ${env.SMTP_PORT || 1025}`}`,
  );
  const orderPort = services.find((service) => service.name === 'order')!.port;
  log('');
  // The token rides in the fragment, which the browser never sends: it stays out of every log.
  const adminToken = await issuer.mint({ admin: 'demo-admin' }, { ttlSeconds: 12 * 3600 });
  log(`  Dashboard: http://127.0.0.1:${orderPort}/#token=${adminToken}`);
  log('             <- open it (an admin token for 12 h): place orders, watch the saga live');
  log('');
  log('Try (a customer token from the local dev key; `npm run token` alone prints its usage):');
  log(`  curl -si -X POST http://127.0.0.1:${orderPort}/orders -H "content-type: application/json" \\`);
  log('       -H "Authorization: Bearer $(npm run -s token -- --customer alice)" \\');
  log(`       -d '{"items":[{"sku":"KEYBOARD-01","quantity":1}]}'`);
  log('Press Ctrl+C to stop.');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
