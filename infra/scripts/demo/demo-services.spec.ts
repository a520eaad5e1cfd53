import { PLATFORM_SERVICE_NAMES } from '@saga/contracts';
import { demoPoolSizes } from './demo-services';

/** Connections every process may hold together: the request pool, the background pool, the relay's two. */
function total(instances: number): { connections: number; request: number } {
  const pools = demoPoolSizes(instances, {});
  const perProcess = Number(pools.DATABASE_POOL_SIZE) + Number(pools.DATABASE_BACKGROUND_POOL_SIZE) + 2;
  return {
    connections: PLATFORM_SERVICE_NAMES.length * instances * perProcess,
    request: Number(pools.DATABASE_POOL_SIZE),
  };
}

describe('demoPoolSizes', () => {
  it("leaves one process per service the platform's own defaults", () => {
    expect(demoPoolSizes(1, {})).toEqual({});
  });

  it.each([2, 3, 4])(
    'keeps %i processes per service within PostgreSQL default 100 connections, unless the pools are at their least',
    (instances) => {
      // Act
      const { connections, request } = total(instances);

      // Assert
      expect(request).toBeGreaterThanOrEqual(2);
      if (request > 2) expect(connections).toBeLessThanOrEqual(96);
    },
  );

  it('fits four services of two instances with request pools of 8', () => {
    // The platform's four services (a generated one adds a fifth and shrinks them).
    if (PLATFORM_SERVICE_NAMES.length === 4) expect(total(2)).toEqual({ connections: 96, request: 8 });
    else expect(total(2).connections).toBeLessThanOrEqual(96);
  });

  it('keeps the sizes the environment sets', () => {
    expect(demoPoolSizes(4, { DATABASE_POOL_SIZE: '20', DATABASE_BACKGROUND_POOL_SIZE: '5' })).toEqual({
      DATABASE_POOL_SIZE: '20',
      DATABASE_BACKGROUND_POOL_SIZE: '5',
    });
  });
});
