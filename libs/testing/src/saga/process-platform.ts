import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@saga/common';
import { SERVICE_NAMES, type ServiceName } from '@saga/contracts';
import { freePort } from '@saga/test-kit';
import { EXIT_WITH_PARENT, exitWithParentEnv, reapOnExit } from './child-reaper';
import {
  RunningCopy,
  copyServiceEnv,
  createPlatformCopy,
  removePlatformCopy,
  type PlatformCopy,
} from './platform-copy';
import type { SagaTarget } from './saga-harness';

/** Options of {@link ProcessPlatform.start}. */
export interface ProcessPlatformOptions {
  /** Names the copy's databases, topics and log folder. */
  readonly label: string;
  /** Instances of every service (same consumer group, ports of their own). */
  readonly instances: number;
  /** The built entry point of a service, e.g. `dist/apps/order/main.js`. */
  readonly entry: (service: ServiceName) => string;
  /** Where each instance's output goes: `<logDir>/<service>-<n>.log`, appended across restarts. */
  readonly logDir: string;
  /** More environment for every instance (say `SEED_FILE`, `LOG_LEVEL`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Options for `node` itself before the entry point (say `--cpu-prof`, which NODE_OPTIONS refuses). */
  readonly nodeArgs?: readonly string[];
  /** How long an instance may take to answer `/health/ready` 200 (default 60 s). */
  readonly readyTimeoutMs?: number;
}

/** One instance of a service: its port survives restarts, its process does not. */
export interface ServiceInstance {
  readonly service: ServiceName;
  /** 1-based. */
  readonly index: number;
  readonly port: number;
  readonly logFile: string;
  /** The running process, if any. */
  child?: ChildProcess;
  /** How many times it was started. */
  starts: number;
}

/**
 * A private copy of the platform whose services run as processes of their own — several instances of
 * each, from the built bundles — so that they can be killed as a crash would kill them (SIGKILL: no
 * shutdown hook, no commit, connections dropped mid-transaction) and started again. The copy has its own
 * databases, topics (a `KAFKA_TOPIC_PREFIX`), consumer groups and SMTP sink, like {@link SagaPlatform}.
 */
export class ProcessPlatform extends RunningCopy implements SagaTarget {
  private stopping = false;

  private constructor(
    private readonly options: ProcessPlatformOptions,
    copy: PlatformCopy,
    readonly instances: readonly ServiceInstance[],
  ) {
    super(copy);
  }

  /** Creates the copy's databases and topics, starts the SMTP sink and every instance, waits until ready. */
  static async start(options: ProcessPlatformOptions): Promise<ProcessPlatform> {
    const copy = await createPlatformCopy(options.label);
    mkdirSync(options.logDir, { recursive: true });
    const instances: ServiceInstance[] = [];
    for (const service of SERVICE_NAMES) {
      for (let index = 1; index <= options.instances; index += 1) {
        instances.push({
          service,
          index,
          port: await freePort(),
          logFile: join(options.logDir, `${service}-${index}.log`),
          starts: 0,
        });
      }
    }
    const platform = new ProcessPlatform(options, copy, instances);
    try {
      // One instance of each first: the first start runs the migrations and the seeds.
      await Promise.all(
        SERVICE_NAMES.map((service) => platform.startInstance(platform.instance(service, 1))),
      );
      await Promise.all(
        instances.filter((i) => i.index > 1).map((instance) => platform.startInstance(instance)),
      );
    } catch (error) {
      await platform.destroy();
      throw error;
    }
    return platform;
  }

  /** The instances of a service that run now. */
  running(service?: ServiceName): ServiceInstance[] {
    return this.instances.filter(
      (instance) => (service === undefined || instance.service === service) && isRunning(instance),
    );
  }

  /** The URL of a running instance of the service (the first that runs). */
  url(service: ServiceName): string {
    const [instance] = this.running(service);
    if (!instance) throw new Error(`no instance of ${service} is running`);
    return urlOf(instance);
  }

  /** The URLs of every instance of a service, running or not (clients fail over between them). */
  urls(service: ServiceName): string[] {
    return this.instances.filter((i) => i.service === service).map(urlOf);
  }

  instance(service: ServiceName, index: number): ServiceInstance {
    const found = this.instances.find((i) => i.service === service && i.index === index);
    if (!found) throw new Error(`no instance ${service}-${index}`);
    return found;
  }

  /** Starts an instance (again) and resolves once its `/health/ready` answers 200. */
  async startInstance(instance: ServiceInstance): Promise<void> {
    if (isRunning(instance)) throw new Error(`${name(instance)} is already running`);
    const log = openSync(instance.logFile, 'a');
    writeFileSync(
      log,
      `--- start ${instance.starts + 1} at ${new Date().toISOString()} on port ${instance.port} ---\n`,
    );
    const child = spawn(
      process.execPath,
      ['--require', EXIT_WITH_PARENT, ...(this.options.nodeArgs ?? []), this.options.entry(instance.service)],
      {
        stdio: ['ignore', log, log],
        env: {
          PATH: process.env.PATH,
          ...exitWithParentEnv(),
          ...copyServiceEnv(this.copy, instance.service),
          PORT: String(instance.port),
          KAFKA_CLIENT_ID: `${this.topicPrefix}${name(instance)}`,
          ...this.options.env,
        },
      },
    );
    closeSync(log);
    reapOnExit(child);
    instance.child = child;
    instance.starts += 1;
    const outcome = await waitFor(
      async () => {
        if (!isRunning(instance)) return 'exited' as const;
        const answer = await fetch(`${urlOf(instance)}/health/ready`).catch(() => undefined);
        return answer?.status === 200 ? ('ready' as const) : undefined;
      },
      {
        timeoutMs: this.options.readyTimeoutMs ?? 60_000,
        intervalMs: 100,
        what: `${name(instance)} to be ready (log: ${instance.logFile})`,
      },
    );
    if (outcome === 'exited') {
      const how = child.signalCode ?? `code ${child.exitCode}`;
      throw new Error(`${name(instance)} exited (${how}) while starting; see ${instance.logFile}`);
    }
  }

  /** Kills an instance at once, as a crash would (SIGKILL), and resolves once it is gone. */
  async kill(instance: ServiceInstance): Promise<void> {
    await this.signal(instance, 'SIGKILL');
  }

  /** Stops an instance as a deployment would (SIGTERM: the record in hand finishes, offsets commit). */
  async stopInstance(instance: ServiceInstance): Promise<void> {
    await this.signal(instance, 'SIGTERM');
  }

  /** Stops every instance, then removes the copy's databases, topics and SMTP sink. */
  async destroy(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await Promise.all(this.running().map((instance) => this.stopInstance(instance)));
    await removePlatformCopy(this.copy);
  }

  private async signal(instance: ServiceInstance, signal: NodeJS.Signals): Promise<void> {
    const child = instance.child;
    if (!child || !isRunning(instance)) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(timer);
  }
}

const name = (instance: ServiceInstance) => `${instance.service}-${instance.index}`;
const urlOf = (instance: ServiceInstance) => `http://127.0.0.1:${instance.port}`;
const isRunning = (instance: ServiceInstance) =>
  instance.child !== undefined && instance.child.exitCode === null && instance.child.signalCode === null;
