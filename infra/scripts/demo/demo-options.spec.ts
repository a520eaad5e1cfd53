import { PLATFORM_SERVICE_NAMES } from '@saga/contracts';
import { servicePorts } from './demo-services';
import { controlPort, instancePlan, parseDemoArgs } from './demo-options';

/** The design's ports, for every service of the registry (a generated one too). */
const PORTS = servicePorts({});
const SERVICES = PLATFORM_SERVICE_NAMES.length;

describe('parseDemoArgs', () => {
  it('runs one instance of each service without chaos by default', () => {
    expect(parseDemoArgs([])).toEqual({ instances: 1, chaos: false, build: false });
  });

  it('reads --instances, --chaos and --build', () => {
    expect(parseDemoArgs(['--instances', '3', '--chaos', '--build'])).toEqual({
      instances: 3,
      chaos: true,
      build: true,
    });
  });

  it.each([['0'], ['5'], ['2.5'], ['two'], ['']])('refuses --instances %p with the usage', (value) => {
    // Act
    const parse = () => parseDemoArgs(['--instances', value]);

    // Assert
    expect(parse).toThrow(/--instances must be an integer from 1 to 4[\s\S]*usage: npm run demo/);
  });

  it('refuses an unknown option', () => {
    expect(() => parseDemoArgs(['--chaso'])).toThrow(/--chaso[\s\S]*usage/);
  });
});

describe('instancePlan', () => {
  it('puts instance n of a service on its port + 10 (n − 1), the first instance of each first', () => {
    // Act
    const plan = instancePlan(PORTS, 2).map((spec) => `${spec.service}-${spec.index}:${spec.port}`);

    // Assert
    expect(plan.slice(0, 4)).toEqual([
      'order-1:3001',
      'payment-1:3002',
      'inventory-1:3003',
      'notification-1:3004',
    ]);
    expect(plan.slice(SERVICES, SERVICES + 4)).toEqual([
      'order-2:3011',
      'payment-2:3012',
      'inventory-2:3013',
      'notification-2:3014',
    ]);
    expect(plan).toHaveLength(2 * SERVICES);
  });

  it('gives four instances of each service distinct ports', () => {
    expect(new Set(instancePlan(PORTS, 4).map((spec) => spec.port)).size).toBe(4 * SERVICES);
  });
});

describe('controlPort', () => {
  it("is the order service's port + 100 unless DEMO_CONTROL_PORT says otherwise", () => {
    expect([controlPort({}, PORTS), controlPort({ DEMO_CONTROL_PORT: '3650' }, PORTS)]).toEqual([3101, 3650]);
  });
});
