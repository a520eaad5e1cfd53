import { AsyncLocalStorage } from 'node:async_hooks';

/** Thrown by {@link checkBudget}: the request took longer than its budget, and gives up. */
export class OverBudget extends Error {
  constructor(readonly budgetMs: number) {
    super(`took longer than its ${budgetMs} ms budget`);
    this.name = 'OverBudget';
  }
}

interface Budget {
  readonly budgetMs: number;
  readonly deadline: number;
  readonly now: () => number;
}

const budgets = new AsyncLocalStorage<Budget>();

/**
 * Runs `work` with a time budget of `budgetMs` from now (0: none). Inside it, {@link checkBudget} throws
 * once the budget is spent. `now` is the clock (tests pass their own).
 */
export function withinBudget<T>(
  budgetMs: number,
  work: () => T,
  now: () => number = () => performance.now(),
): T {
  if (budgetMs <= 0) return work();
  return budgets.run({ budgetMs, deadline: now() + budgetMs, now }, work);
}

/**
 * A checkpoint: throws {@link OverBudget} when the request it runs for has spent its budget, so that the
 * caller gives up before it commits (a transaction that throws rolls back) instead of answering so late
 * that its client has stopped waiting. Does nothing outside {@link withinBudget}.
 */
export function checkBudget(): void {
  const budget = budgets.getStore();
  if (budget && budget.now() > budget.deadline) throw new OverBudget(budget.budgetMs);
}
