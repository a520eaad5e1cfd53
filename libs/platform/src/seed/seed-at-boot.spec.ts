import type { FactoryProvider } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { ConfigError } from '../config';
import { SeedAtBoot, seedAtBoot, type BootSeed } from './seed-at-boot';

const Widget = z.object({ id: z.string() });
type Widget = z.output<typeof Widget>;

function widgetSeed(insert: BootSeed<Widget>['insert']): BootSeed<Widget> {
  return { key: 'widgets', item: Widget, idOf: (w) => w.id, idName: 'id', demo: [{ id: 'w-1' }], insert };
}

describe('seedAtBoot', () => {
  it('reads SEED_FILE when the provider is made, so a bad file fails the module build', () => {
    // Act
    const make = () =>
      seedAtBoot(
        widgetSeed(() => Promise.resolve(0)),
        { SEED_FILE: '/nonexistent.json' },
      );

    // Assert
    expect(make).toThrow(ConfigError);
  });

  it('inserts the items in one transaction at bootstrap', async () => {
    // Arrange
    const manager = {} as EntityManager;
    const insert = jest.fn((_manager: EntityManager, items: readonly Widget[]) =>
      Promise.resolve(items.length),
    );
    const dataSource = {
      transaction: (work: (manager: EntityManager) => Promise<number>) => work(manager),
    } as unknown as DataSource;
    const provider = seedAtBoot(widgetSeed(insert), {}) as FactoryProvider<SeedAtBoot<Widget>>;

    // Act
    const seeder = provider.useFactory(dataSource) as SeedAtBoot<Widget>;
    await seeder.onApplicationBootstrap();

    // Assert
    expect(provider.inject).toEqual([expect.any(Function)]);
    expect(insert).toHaveBeenCalledWith(manager, [{ id: 'w-1' }]);
  });
});
