import { PLATFORM_SERVICE_NAMES, type PlatformServiceName } from '@saga/contracts';
import { integerFlag, parseFlags } from '../cli-flags';
import type { InstanceSpec } from './supervisor';

/** What `npm run demo` is asked to do. */
export interface DemoOptions {
  /** Processes per service (same consumer group, ports of their own). */
  readonly instances: number;
  /** The dashboard's chaos panel and the control server's fault endpoints. */
  readonly chaos: boolean;
  /** Rebuild even when the bundles are newer than the sources. */
  readonly build: boolean;
}

export const MAX_INSTANCES = 4;

/** Instance n of a service listens on the service's port + 10 (n − 1): order 3001, 3011, 3021, 3031. */
export const INSTANCE_PORT_STEP = 10;

const USAGE = `usage: npm run demo -- [--instances <1–${MAX_INSTANCES}>] [--chaos] [--build]`;

/** Parses the demo's command line; a bad one throws with the usage. */
export function parseDemoArgs(args: readonly string[]): DemoOptions {
  const values = parseFlags(
    args,
    {
      instances: { type: 'string', default: '1' },
      chaos: { type: 'boolean', default: false },
      build: { type: 'boolean', default: false },
    },
    USAGE,
  );
  const instances = integerFlag('--instances', values.instances, 1, MAX_INSTANCES, USAGE);
  return { instances, chaos: values.chaos === true, build: values.build === true };
}

/** The first instance's port of each service: `<SERVICE>_PORT`, or the design's default. */
export type ServicePorts = Readonly<Record<PlatformServiceName, number>>;

/** Every instance of every service, instance 1 of each first (it runs the migrations and the seeds). */
export function instancePlan(ports: ServicePorts, instances: number): InstanceSpec[] {
  return Array.from({ length: instances }, (_, i) =>
    PLATFORM_SERVICE_NAMES.map((service) => ({
      service,
      index: i + 1,
      port: ports[service] + INSTANCE_PORT_STEP * i,
    })),
  ).flat();
}

/** The control server's port: `DEMO_CONTROL_PORT`, else the order service's port + 100 (3101). */
export function controlPort(env: NodeJS.ProcessEnv, ports: ServicePorts): number {
  return Number(env.DEMO_CONTROL_PORT || ports.order + 100);
}
