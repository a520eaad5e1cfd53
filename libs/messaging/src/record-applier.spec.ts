import { trace } from '@opentelemetry/api';
import { of } from 'rxjs';
import type { DataSource } from 'typeorm';
import type { EventEnvelope } from '@saga/contracts';
import type { DecodedRecord, RecordHandler } from './classify-record';
import { RecordApplier } from './record-applier';
import type { ConsumerObserver, ConsumerStats } from './saga-kafka.options';

/** A record of event `e-<offset>` whose handler is `handler`. */
const recordAt = (offset: number, handler: RecordHandler): DecodedRecord => ({
  message: {
    offset: String(offset),
    key: null,
    value: null,
    headers: {},
    timestamp: '0',
    attributes: 0,
  },
  event: { id: `e-${offset}`, type: 'order.placed.v1', data: {} } as EventEnvelope,
  handler,
});

/**
 * An applier over a fake database: the inbox already holds `known` event ids; the transaction runs its
 * work and then commits, or throws `commitError` instead.
 */
function arrange(options: { known?: string[]; commitError?: Error } = {}) {
  const manager = {
    query: jest.fn((_sql: string, [, ids]: [string, string[]]) =>
      Promise.resolve(ids.filter((id) => !options.known?.includes(id)).map((id) => ({ event_id: id }))),
    ),
  };
  const dataSource = {
    transaction: async (work: (manager: unknown) => Promise<unknown>) => {
      const result = await work(manager);
      if (options.commitError) throw options.commitError;
      return result;
    },
  } as unknown as DataSource;
  const observer = { handled: jest.fn(), duplicate: jest.fn() } as unknown as jest.Mocked<ConsumerObserver>;
  const stats: ConsumerStats = { applied: 0, duplicates: 0, skipped: 0, retries: 0, deadLettered: 0 };
  const applier = new RecordApplier({
    dataSource,
    groupId: 'order-service',
    tracer: trace.getTracer('test'),
    observer,
    stats,
    toObservable: (result) => of(result),
  });
  return { applier, manager, observer, stats };
}

const where = { topic: 'order.events', partition: 2, attempt: 1 };

describe('RecordApplier', () => {
  it('records all of a run in the inbox at once, then runs each new record’s handler in order', async () => {
    // Arrange
    const calls: string[] = [];
    const handler = jest.fn((event: EventEnvelope, context: { offset: string }) => {
      calls.push(`${event.id}@${context.offset}`);
      return Promise.resolve();
    });
    const run = [0, 1, 2].map((offset) => recordAt(offset, handler as unknown as RecordHandler));
    const { applier, manager, observer, stats } = arrange({ known: ['e-1'] });

    // Act
    const failure = await applier.apply(run, where);

    // Assert
    expect(failure).toBeUndefined();
    expect(manager.query).toHaveBeenCalledTimes(1);
    expect(calls).toEqual(['e-0@0', 'e-2@2']);
    expect(handler).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'e-0' }),
      expect.objectContaining({ manager, topic: 'order.events', partition: 2, attempt: 1, offset: '0' }),
    );
    expect(stats).toMatchObject({ applied: 2, duplicates: 1 });
    expect(observer.handled.mock.calls.map(([, , outcome]) => outcome)).toEqual(['applied', 'applied']);
    expect(observer.duplicate).toHaveBeenCalledTimes(1);
  });

  it('says which record failed when its handler throws, and counts nothing as applied', async () => {
    // Arrange
    const fine = jest.fn(() => Promise.resolve()) as unknown as RecordHandler;
    const failing = jest.fn(() => Promise.reject(new Error('hiccup'))) as unknown as RecordHandler;
    const { applier, observer, stats } = arrange();

    // Act
    const failure = await applier.apply([recordAt(0, fine), recordAt(1, failing), recordAt(2, fine)], where);

    // Assert
    expect(failure).toEqual({ index: 1, error: new Error('hiccup') });
    expect(stats).toMatchObject({ applied: 0, duplicates: 0 });
    expect(observer.handled.mock.calls.map(([, , outcome]) => outcome)).toEqual(['failed', 'failed']);
  });

  it('blames the last record when the commit fails', async () => {
    // Arrange
    const fine = jest.fn(() => Promise.resolve()) as unknown as RecordHandler;
    const { applier } = arrange({ commitError: new Error('Connection terminated') });

    // Act
    const failure = await applier.apply([recordAt(0, fine), recordAt(1, fine)], where);

    // Assert
    expect(failure).toEqual({ index: 1, error: new Error('Connection terminated') });
  });
});
