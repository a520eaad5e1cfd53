import { EVENTS, isSagaService, type EventDefinition } from '@saga/contracts';
import { camelCase, kebabCase, pascalCase } from './names';

/** A refusal of the generator: says what is wrong and how to put it right. Nothing has been written. */
export class GeneratorError extends Error {
  override name = 'GeneratorError';
}

/** What `npm run generate:service -- <name> --consumes <event…> --produces <event…>` asked for. */
export interface GeneratorArgs {
  readonly name: string;
  readonly consumes: readonly string[];
  readonly produces: readonly string[];
  readonly port?: number;
}

/** An event the new service consumes: an existing contract. */
export interface ConsumedEvent {
  readonly definition: EventDefinition;
  /** Its export in `@saga/contracts`, e.g. `OrderConfirmedV1`. */
  readonly constName: string;
  /** `order-confirmed`: names its use case folder. */
  readonly kebab: string;
}

/** An event the new service publishes: a new contract, version 1, on `<name>.events`. */
export interface ProducedEvent {
  /** `ShipmentScheduled`. */
  readonly name: string;
  /** `shipping.shipment-scheduled.v1`. */
  readonly type: string;
  /** `ShipmentScheduledV1`. */
  readonly constName: string;
  /** `shipment-scheduled`: names its files. */
  readonly kebab: string;
  /** `shipmentScheduledFor`: the function that builds it from the event that caused it. */
  readonly builder: string;
}

/** Everything the templates need, validated. */
export interface ServiceSpec {
  /** `shipping`. */
  readonly name: string;
  /** `Shipping`. */
  readonly pascal: string;
  /** `shipping`, as an identifier. */
  readonly camel: string;
  readonly port: number;
  readonly consumes: readonly ConsumedEvent[];
  readonly produces: readonly ProducedEvent[];
  /** `shippingEvents`: its key in the topic registry, if it produces anything (else it has no topic). */
  readonly topicKey?: string;
}

/** What the generator needs to know of the repository it writes into. */
export interface RepositoryView {
  /** The contracts' exports by name (to find an event's constant). */
  readonly contractExports: Readonly<Record<string, unknown>>;
  /** Whether a repository path exists (a folder such as `apps/shipping`). */
  readonly exists: (path: string) => boolean;
  /** Project names of nest-cli.json (apps and libraries). */
  readonly projects: readonly string[];
  /** The services of the registry and their default ports (`DEFAULT_PORTS`). */
  readonly ports: Readonly<Record<string, number>>;
}

/**
 * Names a service cannot take: the infrastructure's in docker-compose.yml and the demo's settings
 * (`SMTP_PORT` is the mail sink's port), and `run`, whose `runService` the generated main.ts imports.
 */
const RESERVED_NAMES = [
  'kafka',
  'postgres',
  'mailpit',
  'jaeger',
  'prometheus',
  'grafana',
  'smtp',
  'demo',
  'dashboard',
  'run',
  'saga',
];

/** Ports the infrastructure listens on (docker-compose.yml, infra:up). */
const INFRASTRUCTURE_PORTS: Readonly<Record<number, string>> = {
  1025: 'SMTP (Mailpit)',
  3000: 'Grafana',
  4318: "Jaeger's OTLP/HTTP",
  9090: 'Prometheus',
  16686: "Jaeger's UI",
  5432: 'PostgreSQL (a server the machine runs)',
  55432: "PostgreSQL (the checkout's own)",
  8025: 'Mailpit',
  8080: 'the Kafka UI',
  9092: 'Kafka',
  9093: "Kafka's controller",
};

const USAGE =
  'usage: npm run generate:service -- <name> --consumes <Event…> [--produces <Event…>] [--port <port>]\n' +
  '  e.g. npm run generate:service -- shipping --consumes OrderConfirmed --produces ShipmentScheduled';

/** Parses the command line; throws a {@link GeneratorError} with the usage on anything it cannot read. */
export function parseGeneratorArgs(argv: readonly string[]): GeneratorArgs {
  let name: string | undefined;
  let port: number | undefined;
  const lists = { '--consumes': [] as string[], '--produces': [] as string[] };
  let list: string[] | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--consumes' || arg === '--produces') {
      list = lists[arg];
    } else if (arg === '--port') {
      const value = argv[(index += 1)] ?? '';
      if (!/^\d+$/.test(value)) throw new GeneratorError(`--port ${value}: must be a number\n${USAGE}`);
      port = Number(value);
      list = undefined;
    } else if (arg.startsWith('-')) {
      throw new GeneratorError(`unknown option ${arg}\n${USAGE}`);
    } else if (list) {
      list.push(...arg.split(',').filter(Boolean));
    } else if (name === undefined) {
      name = arg;
    } else {
      throw new GeneratorError(`one service at a time: got ${name} and ${arg}\n${USAGE}`);
    }
  }
  if (name === undefined) throw new GeneratorError(`name the service\n${USAGE}`);
  return { name, consumes: lists['--consumes'], produces: lists['--produces'], port };
}

/** Validates the request against the registry and the repository; throws before anything is written. */
export function planServiceSpec(args: GeneratorArgs, repo: RepositoryView): ServiceSpec {
  const name = checkName(args.name, repo);
  const consumes = checkConsumed(args.consumes, repo);
  const produces = checkProduced(name, args.produces);
  return {
    name,
    pascal: pascalCase(name),
    camel: camelCase(pascalCase(name)),
    port: checkPort(args.port, name, repo),
    consumes,
    produces,
    ...(produces.length > 0 ? { topicKey: `${name}Events` } : {}),
  };
}

function checkName(name: string, repo: RepositoryView): string {
  if (!/^[a-z][a-z0-9]{1,29}$/.test(name)) {
    throw new GeneratorError(
      `service name ${JSON.stringify(name)}: use 2 to 30 lowercase letters and digits, starting with a letter ` +
        `(it names the folder apps/<name>, the database <name>_service and the topics <name>.events and <name>.dlq)`,
    );
  }
  if (RESERVED_NAMES.includes(name)) {
    throw new GeneratorError(
      `${name} is reserved (the infrastructure or the demo use it): choose another name`,
    );
  }
  const where = [
    Object.hasOwn(repo.ports, name) && 'the service registry',
    repo.projects.includes(name) && 'nest-cli.json',
    repo.exists(`apps/${name}`) && `apps/${name}`,
    repo.exists(`libs/${name}`) && `libs/${name}`,
    repo.exists(`libs/contracts/src/${name}`) && `libs/contracts/src/${name}`,
  ].filter(Boolean);
  if (where.length > 0) {
    throw new GeneratorError(`${name} exists already (${where.join(', ')}): choose another name`);
  }
  return name;
}

/** The newest version of each event name (a new consumer reads the newest), of `events`. */
function newestByName(events: readonly EventDefinition[] = EVENTS): Map<string, EventDefinition> {
  const byName = new Map<string, EventDefinition>();
  for (const event of events) {
    const seen = byName.get(event.name);
    if (!seen || seen.version < event.version) byName.set(event.name, event);
  }
  return byName;
}

function checkConsumed(names: readonly string[], repo: RepositoryView): ConsumedEvent[] {
  const known = newestByName();
  // What the generated saga test can drive: the saga events of the four, keyed by order id.
  const consumable = [...newestByName(EVENTS.filter(isConsumable)).keys()].join(', ');
  if (names.length === 0) {
    throw new GeneratorError(`--consumes: name at least one event; known: ${consumable}`);
  }
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new GeneratorError(`--consumes: unknown event ${unknown.join(', ')}; known events: ${consumable}`);
  }
  return [...new Set(names)].map((name) => {
    const definition = known.get(name)!;
    if (!isSagaService(definition.topic.producer)) {
      throw new GeneratorError(
        `--consumes ${name}: it is published by ${String(definition.topic.producer)}, an added service; the generated ` +
          'saga test runs the four services of the order saga only. Generate with their events and add this ' +
          'handler by hand (docs/guides/new-service.md).',
      );
    }
    if (definition.topic.key !== 'orderId') {
      throw new GeneratorError(
        `--consumes ${name}: it is keyed by ${definition.topic.key} on ${definition.topic.name}, not by order id; ` +
          'a generated service takes part in the order saga, so it consumes saga events (keyed by order id). ' +
          'Add a handler for it by hand (docs/guides/new-service.md).',
      );
    }
    const constName = Object.keys(repo.contractExports).find(
      (key) => repo.contractExports[key] === definition,
    );
    if (!constName) throw new GeneratorError(`${definition.type} is not exported by @saga/contracts`);
    return { definition, constName, kebab: kebabCase(name) };
  });
}

function checkProduced(service: string, names: readonly string[]): ProducedEvent[] {
  const known = newestByName();
  const types = new Set(EVENTS.map((event) => event.type));
  const seen = new Set<string>();
  return names.map((name) => {
    if (!/^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*$/.test(name)) {
      throw new GeneratorError(
        `--produces ${JSON.stringify(name)}: name it in PascalCase, e.g. ShipmentScheduled`,
      );
    }
    const existing = known.get(name);
    if (existing) {
      throw new GeneratorError(
        `--produces ${name}: the event exists already (${existing.type}, published by ${existing.topic.producer}); ` +
          'a service publishes only events of its own — consume it with --consumes instead',
      );
    }
    if (seen.has(name)) throw new GeneratorError(`--produces ${name}: named twice`);
    seen.add(name);
    const kebab = kebabCase(name);
    // ShippingLabelPrinted of shipping is shipping.label-printed.v1, as order's OrderCancelled is order.cancelled.v1.
    const local = kebab.startsWith(`${service}-`) ? kebab.slice(service.length + 1) : kebab;
    const type = `${service}.${local}.v1`;
    if (types.has(type)) throw new GeneratorError(`--produces ${name}: the type ${type} exists already`);
    types.add(type);
    return { name, type, constName: `${name}V1`, kebab, builder: `${camelCase(name)}For` };
  });
}

/** A saga event of the four, keyed by order id: what a generated service can consume. */
function isConsumable(event: EventDefinition): boolean {
  return isSagaService(event.topic.producer) && event.topic.key === 'orderId';
}

function checkPort(port: number | undefined, name: string, repo: RepositoryView): number {
  const taken = Object.entries(repo.ports);
  const chosen = port ?? Math.max(...taken.map(([, used]) => used)) + 1;
  if (chosen < 1024 || chosen > 65535) {
    throw new GeneratorError(`--port ${chosen}: choose a port between 1024 and 65535`);
  }
  if (INFRASTRUCTURE_PORTS[chosen]) {
    throw new GeneratorError(`--port ${chosen}: ${INFRASTRUCTURE_PORTS[chosen]} listens there`);
  }
  const owner = taken.find(([, used]) => used === chosen);
  if (owner)
    throw new GeneratorError(`--port ${chosen}: ${owner[0]} listens there; ${name} needs a port of its own`);
  return chosen;
}
