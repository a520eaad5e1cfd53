import {
  EventSubscriber,
  type EntityManager,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';

const pending = new WeakMap<QueryRunner, (() => void)[]>();

/**
 * Runs `callback` once the transaction of `manager` has committed, and never if it rolls back: for
 * effects that must not happen for work that is undone (a metric of settled orders, say). Outside a
 * transaction it runs at once. A callback that throws is ignored: the commit has happened.
 */
export function afterCommit(manager: EntityManager, callback: () => void): void {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    callback();
    return;
  }
  const callbacks = pending.get(runner);
  if (callbacks) callbacks.push(callback);
  else pending.set(runner, [callback]);
}

/**
 * The TypeORM subscriber behind {@link afterCommit} (every service's data source has it). TypeORM loads
 * only the classes of `subscribers` that carry `@EventSubscriber()`.
 */
@EventSubscriber()
export class AfterCommitSubscriber implements EntitySubscriberInterface {
  afterTransactionCommit({ queryRunner }: TransactionCommitEvent): void {
    if (queryRunner.isTransactionActive) return; // a savepoint released: the transaction goes on
    const callbacks = pending.get(queryRunner) ?? [];
    pending.delete(queryRunner);
    for (const callback of callbacks) {
      try {
        callback();
      } catch {
        // committed already; the callback's failure is its own
      }
    }
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    if (!queryRunner.isTransactionActive) pending.delete(queryRunner);
  }
}
