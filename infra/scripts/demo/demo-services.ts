import { PLATFORM_SERVICE_NAMES, SERVICE_NAMES, type PlatformServiceName } from '@saga/contracts';
import { DEFAULT_PORTS, databaseName } from '@saga/platform/config';
import { postgresServerUrl } from '@saga/test-kit/postgres-server';
import { serviceDatabaseUrl } from '@saga/provisioning/service-roles';
import type { ServicePorts } from './demo-options';
import type { InstanceSpec } from './supervisor';

/** The first instance's HTTP port of each service: `<SERVICE>_PORT`, or the design's default. */
export function servicePorts(env: NodeJS.ProcessEnv): ServicePorts {
  return Object.fromEntries(
    PLATFORM_SERVICE_NAMES.map((name) => [
      name,
      Number(env[`${name.toUpperCase()}_PORT`] || DEFAULT_PORTS[name]),
    ]),
  ) as Record<PlatformServiceName, number>;
}

/** A service's database URL: `<SERVICE>_DATABASE_URL`, else its own database as its own role. */
export function demoDatabaseUrl(env: NodeJS.ProcessEnv, name: PlatformServiceName): string {
  return (
    env[`${name.toUpperCase()}_DATABASE_URL`] ||
    serviceDatabaseUrl(postgresServerUrl(env), name, databaseName(name), env)
  );
}

/** The database name in each service's URL (what the chaos panel's connection cut targets). */
export function demoDatabases(env: NodeJS.ProcessEnv): Record<PlatformServiceName, string> {
  return Object.fromEntries(
    PLATFORM_SERVICE_NAMES.map((name) => [
      name,
      decodeURIComponent(new URL(demoDatabaseUrl(env, name)).pathname.slice(1)),
    ]),
  ) as Record<PlatformServiceName, string>;
}

const urlOf = (port: number) => `http://127.0.0.1:${port}`;

/**
 * What the dashboard needs: the order service tells the page where the other services are
 * (`DASHBOARD_PEERS`: their first instances) and where the demo's control server is
 * (`DASHBOARD_DEMO_CONTROL_URL`); every service lets the page of any order instance read it (`CORS_ORIGINS`).
 */
export function dashboardEnv(
  ports: ServicePorts,
  plan: readonly InstanceSpec[],
  controlUrl: string,
): NodeJS.ProcessEnv {
  return {
    DASHBOARD_PEERS: SERVICE_NAMES.filter((name) => name !== 'order')
      .map((name) => `${name}=${urlOf(ports[name])}`)
      .join(','),
    DASHBOARD_DEMO_CONTROL_URL: controlUrl,
    CORS_ORIGINS: dashboardOrigins(plan).join(','),
  };
}

/** The origins the dashboard is served from: every order instance. */
export function dashboardOrigins(plan: readonly InstanceSpec[]): string[] {
  return plan.filter((spec) => spec.service === 'order').map((spec) => urlOf(spec.port));
}

/** Connections the demo's processes may hold together: PostgreSQL's default `max_connections` (100), less a few. */
const DEMO_CONNECTION_BUDGET = 96;

/**
 * The pools of each process when several run per service, unless the environment sets them: every
 * service × `instances` processes, each with a request pool, a background pool of 2 and the relay's two
 * connections, share {@link DEMO_CONNECTION_BUDGET}; the request pool never goes below 2.
 */
export function demoPoolSizes(instances: number, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (instances <= 1) return {};
  const perProcess = Math.floor(DEMO_CONNECTION_BUDGET / (PLATFORM_SERVICE_NAMES.length * instances));
  return {
    DATABASE_POOL_SIZE: env.DATABASE_POOL_SIZE || String(Math.max(2, perProcess - 4)),
    DATABASE_BACKGROUND_POOL_SIZE: env.DATABASE_BACKGROUND_POOL_SIZE || '2',
  };
}

/** The environment of one instance: the demo's, the dashboard's, its port, database, pools and brokers. */
export function instanceEnv(
  env: NodeJS.ProcessEnv,
  spec: InstanceSpec,
  shared: {
    readonly dashboard: NodeJS.ProcessEnv;
    readonly auth: NodeJS.ProcessEnv;
    readonly pools?: NodeJS.ProcessEnv;
    brokers: string[];
  },
): NodeJS.ProcessEnv {
  const name = spec.service as PlatformServiceName;
  return {
    ...env,
    ...shared.pools,
    ...shared.dashboard,
    // The local dev key's public half (`npm run token` mints with the private one), unless the
    // environment names a real issuer.
    ...shared.auth,
    PORT: String(spec.port),
    // As the service's own role (`order_service`), which `npm run infra:up` made the database's owner.
    DATABASE_URL: demoDatabaseUrl(env, name),
    KAFKA_BROKERS: shared.brokers.join(','),
    // Readable lines in a terminal; LOG_FORMAT=json shows what a log pipeline would receive.
    LOG_FORMAT: env.LOG_FORMAT || 'pretty',
  };
}
