/**
 * The service registry: every service of the platform, defined once. The four of the order saga are
 * fixed; `npm run generate:service` adds the others to {@link ADDED_SERVICES}. The infrastructure creates
 * a database and a dead-letter topic per service from it, the demo and the build run every one.
 */

/** The four services of the order saga (docs/design.md). */
export const SERVICE_NAMES = ['order', 'payment', 'inventory', 'notification'] as const;

/** The name of one of the four services of the order saga. */
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * A service added with `npm run generate:service`: where it listens. What it consumes is its entry in
 * the choreography (`CHOREOGRAPHY`, libs/contracts/src/choreography.ts).
 */
export interface AddedService {
  /** Default HTTP port (`PORT`). */
  readonly port: number;
}

/**
 * Services that joined the saga after the four, by `npm run generate:service` (which appends here; an
 * entry can be written by hand as well). Each gets what the four have: its own database, port and
 * dead-letter topic `<name>.dlq`, and, when it produces events, its topic `<name>.events` in the topic registry.
 */
export const ADDED_SERVICES = {
  // generate:service adds new services above this line.
} as const satisfies Record<string, AddedService>;

/** The name of a service added with `npm run generate:service`. */
export type AddedServiceName = keyof typeof ADDED_SERVICES;

/** The name of any service of the platform: one of the four, or an added one. */
export type PlatformServiceName = keyof (Record<ServiceName, unknown> & typeof ADDED_SERVICES);

/** Every service of the platform: the four of the saga, then the added ones in the order they came. */
export const PLATFORM_SERVICE_NAMES: readonly PlatformServiceName[] = [
  ...SERVICE_NAMES,
  ...(Object.keys(ADDED_SERVICES) as AddedServiceName[]),
];

/** Whether `name` is a service of the platform. */
export function isPlatformService(name: string): name is PlatformServiceName {
  return (PLATFORM_SERVICE_NAMES as readonly string[]).includes(name);
}

/** Whether `name` is one of the four services of the order saga. */
export function isSagaService(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** The registry entry of an added service, or undefined for one of the four. */
export function addedService(name: PlatformServiceName): AddedService | undefined {
  return (ADDED_SERVICES as Readonly<Record<string, AddedService>>)[name];
}
