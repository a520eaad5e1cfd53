import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@saga/test-kit';
import { AfterCommitSubscriber, afterCommit } from './after-commit';

describe('afterCommit (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('after_commit');
    dataSource = new DataSource({
      type: 'postgres',
      url: database.url,
      subscribers: [AfterCommitSubscriber],
    });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('runs the callbacks once the transaction commits, not before', async () => {
    // Arrange
    const calls: string[] = [];

    // Act
    await dataSource.transaction(async (manager) => {
      afterCommit(manager, () => calls.push('first'));
      afterCommit(manager, () => calls.push('second'));
      await manager.query('SELECT 1');
      calls.push('end of transaction');
    });

    // Assert
    expect(calls).toEqual(['end of transaction', 'first', 'second']);
  });

  it('never runs them when the transaction rolls back, nor in the next transaction', async () => {
    // Arrange
    const calls: string[] = [];

    // Act
    await expect(
      dataSource.transaction(async (manager) => {
        afterCommit(manager, () => calls.push('rolled back'));
        await manager.query('SELECT 1');
        throw new Error('undone');
      }),
    ).rejects.toThrow('undone');
    await dataSource.transaction((manager) => manager.query('SELECT 1'));

    // Assert
    expect(calls).toEqual([]);
  });

  it('runs at once outside a transaction, and a throwing callback does not undo the commit', async () => {
    // Arrange
    const calls: string[] = [];
    await dataSource.query('CREATE TABLE IF NOT EXISTS marks (id int)');

    // Act
    afterCommit(dataSource.manager, () => calls.push('no transaction'));
    await dataSource.transaction(async (manager) => {
      await manager.query('INSERT INTO marks VALUES (1)');
      afterCommit(manager, () => {
        throw new Error('callback failure');
      });
      afterCommit(manager, () => calls.push('after the failing one'));
    });

    // Assert
    expect(calls).toEqual(['no transaction', 'after the failing one']);
    await expect(dataSource.query('SELECT count(*)::int AS n FROM marks')).resolves.toEqual([{ n: 1 }]);
  });
});
