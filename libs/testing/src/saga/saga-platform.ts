import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SERVICE_NAMES,
  addedService,
  typesConsumedBy,
  type AddedServiceName,
  type PlatformServiceName,
  type ServiceName,
} from '@saga/contracts';
import {
  startService,
  type RunningService,
  type ServiceDefinition,
  type TelemetryOptions,
} from '@saga/platform';
import {
  RunningCopy,
  copyServiceEnv,
  createPlatformCopy,
  removePlatformCopy,
  type PlatformCopy,
} from './platform-copy';

/** The data the payment and inventory services start with (their `SEED_FILE`). */
export interface SagaSeed {
  readonly accounts: readonly { customerId: string; balanceCents: number; currency: string }[];
  readonly products: readonly {
    sku: string;
    name: string;
    priceCents: number;
    currency: string;
    stock: number;
  }[];
}

/**
 * What the services are: the four (`{ order: orderService, payment: paymentService, … }` from the apps),
 * and any added service (`npm run generate:service`) that should run beside them.
 */
export type SagaServices = Readonly<Record<ServiceName, ServiceDefinition>> &
  Readonly<Partial<Record<AddedServiceName, ServiceDefinition>>>;

/** How a test wants its platform's services run. */
export interface SagaPlatformOptions {
  /** Extra environment of every service (say, a shorter deadline), over the copy's own. */
  readonly env?: Readonly<Record<string, string>>;
  /** Added to every service's telemetry: an in-memory span exporter, a log stream. */
  readonly telemetry?: TelemetryOptions;
}

/**
 * A private copy of the whole platform on the real infrastructure: four databases of its own, its own
 * topics (a `KAFKA_TOPIC_PREFIX`), its own SMTP sink, and the four services running in this process on
 * free ports. Copies never see each other's records, so test files can run in parallel. Services can
 * be stopped and started again mid-saga; everything is removed by {@link SagaPlatform.destroy}.
 */
export class SagaPlatform extends RunningCopy {
  private readonly running = new Map<PlatformServiceName, RunningService>();

  private constructor(
    private readonly definitions: SagaServices,
    copy: PlatformCopy,
    private readonly seedDir: string,
    private readonly options: SagaPlatformOptions,
  ) {
    super(copy);
  }

  /** Creates the copy's databases and topics, starts the SMTP sink, the four services and any added one given. */
  static async start(
    label: string,
    services: SagaServices,
    seed: SagaSeed,
    options: SagaPlatformOptions = {},
  ): Promise<SagaPlatform> {
    const copy = await createPlatformCopy(label, `e2e-${label}`);
    const seedDir = await mkdtemp(join(tmpdir(), 'saga-seed-'));
    await writeFile(join(seedDir, 'seed.json'), JSON.stringify(seed));
    const platform = new SagaPlatform(services, copy, seedDir, options);
    try {
      await Promise.all(platform.names().map((service) => platform.startService(service)));
    } catch (error) {
      await platform.destroy();
      throw error;
    }
    return platform;
  }

  /** The services this platform runs: the four, then the added ones it was given. */
  names(): PlatformServiceName[] {
    return [
      ...SERVICE_NAMES,
      ...(Object.keys(this.definitions) as PlatformServiceName[]).filter((name) => addedService(name)),
    ];
  }

  /** The base URL of a running service. */
  url(service: PlatformServiceName): string {
    const running = this.running.get(service);
    if (!running) throw new Error(`${service} is not running`);
    return running.url;
  }

  /** The running instance of a service (its Nest app, config and consumer). */
  instance(service: PlatformServiceName): RunningService | undefined {
    return this.running.get(service);
  }

  /** Starts a service (again), with the same database, topics, group and seed. */
  async startService(service: PlatformServiceName): Promise<RunningService> {
    if (this.running.has(service)) throw new Error(`${service} is already running`);
    const definition = this.definitions[service];
    if (!definition) throw new Error(`${service} was not given to SagaPlatform.start`);
    const env = {
      ...copyServiceEnv(this.copy, service),
      PORT: '0',
      SEED_FILE: join(this.seedDir, 'seed.json'),
      // In-process copies share a test machine with many others, whose answer times say nothing of
      // overload: no answer-time target (it would refuse orders the tests place), unless a test sets it.
      // Copies run as processes (the bench, the chaos run) keep the production default.
      ORDER_ADMISSION_TARGET_MS: '0',
      ...this.options.env,
    };
    const running = await startService(definition, env, this.options.telemetry);
    const handled = running.consumer.handledTypes().sort().join(', ');
    const expected = typesConsumedBy(service).sort().join(', ');
    if (handled !== expected) {
      await running.app.close();
      const table = 'CHOREOGRAPHY (libs/contracts/src/choreography.ts)';
      throw new Error(`${service} handles [${handled}] but ${table} says [${expected}]: update one`);
    }
    this.running.set(service, running);
    return running;
  }

  /** Stops a service as a deployment would (SIGTERM): the record in hand finishes, offsets are committed. */
  async stopService(service: PlatformServiceName): Promise<void> {
    const running = this.running.get(service);
    this.running.delete(service);
    await running?.app.close();
  }

  /** Stops everything and removes the copy's databases, topics and seed file. */
  async destroy(): Promise<void> {
    await Promise.all([...this.running.keys()].map((service) => this.stopService(service)));
    await removePlatformCopy(this.copy);
    await rm(this.seedDir, { recursive: true, force: true });
  }
}
