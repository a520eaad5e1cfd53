import { demoPoolSizes } from './demo-services';

describe('demoPoolSizes', () => {
  it("leaves one process per service the platform's own defaults", () => {
    expect(demoPoolSizes(1, {})).toEqual({});
  });

  it.each([2, 3, 4])(
    'keeps %i processes per service within PostgreSQL default 100 connections, pools and relays together',
    (instances) => {
      // Act
      const pools = demoPoolSizes(instances, {});

      // Assert: four services, each process its two pools and the relay's two connections
      const perProcess = Number(pools.DATABASE_POOL_SIZE) + Number(pools.DATABASE_BACKGROUND_POOL_SIZE) + 2;
      expect(4 * instances * perProcess).toBeLessThanOrEqual(96);
      expect(Number(pools.DATABASE_POOL_SIZE)).toBeGreaterThanOrEqual(2);
    },
  );

  it('keeps the sizes the environment sets', () => {
    expect(demoPoolSizes(4, { DATABASE_POOL_SIZE: '20', DATABASE_BACKGROUND_POOL_SIZE: '5' })).toEqual({
      DATABASE_POOL_SIZE: '20',
      DATABASE_BACKGROUND_POOL_SIZE: '5',
    });
  });
});
