import type { EventEnvelope } from '@saga/contracts';
import type { DecodedRecord, RecordHandler } from './classify-record';
import type { DeadLetterSender } from './dead-letter-sender';
import type { RecordApplier, RunFailure } from './record-applier';
import { afterFailure, RetryingApplier } from './retrying-applier';
import { NonRetriableError } from './saga-event-context';
import type { ConsumerObserver, ConsumerStats } from './saga-kafka.options';

const policy = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000 };
const databaseDown = () => Object.assign(new Error('terminating connection'), { code: '57P01' });

describe('afterFailure', () => {
  it('retries a failure with a doubling delay until the record has failed maxAttempts times', () => {
    // Act
    const first = afterFailure(new Error('hiccup'), { attempt: 1, failures: 0 }, policy);
    const second = afterFailure(new Error('hiccup'), { attempt: 2, failures: 1 }, policy);
    const third = afterFailure(new Error('hiccup'), { attempt: 3, failures: 2 }, policy);

    // Assert
    expect([first, second, third]).toEqual([
      { failures: 1, action: 'retry', delayMs: 100 },
      { failures: 2, action: 'retry', delayMs: 200 },
      { failures: 3, action: 'dead-letter', reason: 'retries-exhausted' },
    ]);
  });

  it('dead-letters a NonRetriableError at once', () => {
    // Act
    const next = afterFailure(
      new NonRetriableError('contradicts the account'),
      { attempt: 1, failures: 0 },
      policy,
    );

    // Assert
    expect(next).toEqual({ failures: 1, action: 'dead-letter', reason: 'non-retriable' });
  });

  it('retries an unavailable database past the limit, without counting it against the record', () => {
    // Act
    const next = afterFailure(databaseDown(), { attempt: 9, failures: 2 }, policy);

    // Assert: the delay follows the tries, capped
    expect(next).toEqual({ failures: 2, action: 'retry', delayMs: 1000 });
  });
});

describe('RetryingApplier', () => {
  const record = {
    message: { offset: '12', key: null, value: null, headers: {}, timestamp: '0', attributes: 0 },
    event: { id: 'e-1', type: 'order.placed.v1', data: {} } as EventEnvelope,
    handler: jest.fn() as unknown as RecordHandler,
  } satisfies DecodedRecord;

  /** A retrying applier whose tries fail with `errors`, one per try, then commit. */
  function arrange(...errors: Error[]) {
    const applier = {
      apply: jest.fn((_run: readonly DecodedRecord[], _where: unknown): Promise<RunFailure | undefined> => {
        const error = errors.shift();
        return Promise.resolve(error ? { index: 0, error } : undefined);
      }),
    };
    const deadLetters = { send: jest.fn(() => Promise.resolve()) };
    const observer = { retried: jest.fn() } as unknown as ConsumerObserver;
    const stats: ConsumerStats = { applied: 0, duplicates: 0, skipped: 0, retries: 0, deadLettered: 0 };
    const retrying = new RetryingApplier({
      applier: applier as unknown as RecordApplier,
      deadLetters: deadLetters as unknown as DeadLetterSender,
      retry: { maxAttempts: 3, initialDelayMs: 0, maxDelayMs: 0 },
      observer,
      stats,
      logger: { warn: jest.fn(), error: jest.fn(), log: jest.fn() },
    });
    const at = {
      topic: 'order.events',
      partition: 1,
      heartbeat: jest.fn(() => Promise.resolve()),
      stopped: () => false,
    };
    return { retrying, applier, deadLetters, stats, at };
  }

  it('tries again until the record commits, counting the tries', async () => {
    // Arrange
    const { retrying, applier, stats, at } = arrange(new Error('hiccup'), databaseDown());

    // Act
    const done = await retrying.apply(record, at);

    // Assert
    expect(done).toBe(true);
    expect(applier.apply.mock.calls.map(([, where]) => where)).toEqual([
      { topic: 'order.events', partition: 1, attempt: 1 },
      { topic: 'order.events', partition: 1, attempt: 2 },
      { topic: 'order.events', partition: 1, attempt: 3 },
    ]);
    expect(stats.retries).toBe(2);
    expect(at.heartbeat).toHaveBeenCalledTimes(2);
  });

  it('counts a try a rolled-back run made as the first, and dead-letters after the last', async () => {
    // Arrange
    const { retrying, applier, deadLetters, at } = arrange(
      new Error('still broken'),
      new Error('still broken'),
    );
    const firstError = new Error('failed in its run');

    // Act
    const done = await retrying.apply(record, at, firstError);

    // Assert
    expect(done).toBe(true);
    expect(applier.apply).toHaveBeenCalledTimes(2);
    expect(deadLetters.send).toHaveBeenCalledWith(record.message, {
      topic: 'order.events',
      partition: 1,
      attempts: 3,
      reason: 'retries-exhausted',
      error: new Error('still broken'),
    });
  });

  it('leaves the record for the next owner when the partition stops during a retry', async () => {
    // Arrange
    const { retrying, deadLetters, at } = arrange(new Error('hiccup'));

    // Act
    const done = await retrying.apply(record, { ...at, stopped: () => true });

    // Assert
    expect(done).toBe(false);
    expect(deadLetters.send).not.toHaveBeenCalled();
  });
});
