import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { EventEnvelope } from '@saga/contracts';
import { BatchConsumer, MAX_RUN, nextStep } from './batch-consumer';
import type { DecodedRecord, RecordClassification } from './classify-record';
import type { DeadLetterSender } from './dead-letter-sender';
import type { RecordApplier, RunFailure } from './record-applier';
import type { RetryingApplier } from './retrying-applier';
import type { ConsumerStats } from './saga-kafka.options';

/** A record whose value says how the fake classification sees it: `apply`, `skip` or `poison`. */
const message = (value: 'apply' | 'skip' | 'poison', offset: number): KafkaMessage => ({
  key: null,
  value: Buffer.from(value),
  headers: {},
  offset: String(offset),
  timestamp: '0',
  attributes: 0,
});

const batchOf = (...values: ('apply' | 'skip' | 'poison')[]) =>
  values.map((value, offset) => message(value, offset));

const decoded = (record: KafkaMessage): DecodedRecord => ({
  message: record,
  event: { id: `e-${record.offset}`, type: 'order.placed.v1', data: {} } as EventEnvelope,
  handler: jest.fn(),
});

/** The fake classification: as each record's value says. */
const classify = jest.fn((record: KafkaMessage): RecordClassification => {
  const value = record.value!.toString();
  if (value === 'skip') return { action: 'skip', message: record };
  if (value === 'poison') {
    return { action: 'dead-letter', message: record, reason: 'invalid-json', error: new Error('bad') };
  }
  return { action: 'apply', message: record, record: decoded(record) };
});

const offsetsOf = (records: readonly DecodedRecord[]) => records.map((record) => record.message.offset);

describe('nextStep', () => {
  beforeEach(() => classify.mockClear());

  it('takes the records ready to apply together, up to the first that is not', () => {
    // Act
    const step = nextStep(batchOf('skip', 'apply', 'apply', 'apply', 'skip', 'apply'), 1, classify);

    // Assert
    expect('together' in step && offsetsOf(step.together)).toEqual(['1', '2', '3']);
  });

  it('takes at most MAX_RUN records together', () => {
    // Act
    const step = nextStep(
      batchOf(...Array.from({ length: MAX_RUN + 5 }, () => 'apply' as const)),
      0,
      classify,
    );

    // Assert
    expect('together' in step && step.together).toHaveLength(MAX_RUN);
    expect(classify).toHaveBeenCalledTimes(MAX_RUN);
  });

  it('gives a lone ready record alone, to be applied with retries', () => {
    // Act
    const step = nextStep(batchOf('apply', 'poison', 'apply'), 0, classify);

    // Assert
    expect('alone' in step && step.alone.action).toBe('apply');
  });

  it('gives a record that is not ready alone, classifying nothing after it', () => {
    // Act
    const step = nextStep(batchOf('poison', 'apply', 'apply'), 0, classify);

    // Assert
    expect('alone' in step && step.alone).toMatchObject({ action: 'dead-letter', reason: 'invalid-json' });
    expect(classify).toHaveBeenCalledTimes(1);
  });
});

describe('BatchConsumer', () => {
  /** A batch of partition 0 of `order.events`, as kafkajs hands it over, and the parts, all fakes. */
  function arrange(messages: KafkaMessage[], runFailure?: RunFailure) {
    const resolved: string[] = [];
    const payload = {
      batch: { topic: 'order.events', partition: 0, messages },
      resolveOffset: (offset: string) => resolved.push(offset),
      commitOffsetsIfNecessary: jest.fn(() => Promise.resolve()),
      heartbeat: jest.fn(() => Promise.resolve()),
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload;
    let failure = runFailure;
    const applier = {
      apply: jest.fn((run: readonly DecodedRecord[]) => {
        const result = run.length > 1 ? failure : undefined;
        failure = undefined; // the next run commits
        return Promise.resolve(result);
      }),
    };
    const retrying = {
      apply: jest.fn((_record: DecodedRecord, _at: unknown, _firstError?: Error) => Promise.resolve(true)),
    };
    const deadLetters = { send: jest.fn(() => Promise.resolve()) };
    const stats: ConsumerStats = { applied: 0, duplicates: 0, skipped: 0, retries: 0, deadLettered: 0 };
    const consumer = new BatchConsumer({
      classify: (_topic, record) => classify(record),
      applier: applier as unknown as RecordApplier,
      retrying: retrying as unknown as RetryingApplier,
      deadLetters: deadLetters as unknown as DeadLetterSender,
      stats,
    });
    return { consumer, payload, resolved, applier, retrying, deadLetters, stats };
  }

  it('applies a run together, then skips, dead-letters and applies alone, resolving every offset in order', async () => {
    // Arrange
    const { consumer, payload, resolved, applier, retrying, deadLetters, stats } = arrange(
      batchOf('apply', 'apply', 'apply', 'skip', 'poison', 'apply'),
    );

    // Act
    await consumer.consume(payload);

    // Assert
    expect(applier.apply.mock.calls.map(([run]) => offsetsOf(run))).toEqual([['0', '1', '2']]);
    expect(applier.apply).toHaveBeenCalledWith(expect.anything(), {
      topic: 'order.events',
      partition: 0,
      attempt: 1,
    });
    expect(stats.skipped).toBe(1);
    expect(deadLetters.send).toHaveBeenCalledWith(expect.objectContaining({ offset: '4' }), {
      topic: 'order.events',
      partition: 0,
      attempts: 0,
      reason: 'invalid-json',
      error: expect.any(Error),
    });
    expect(retrying.apply.mock.calls.map(([record]) => record.message.offset)).toEqual(['5']);
    expect(resolved).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(payload.commitOffsetsIfNecessary).toHaveBeenCalledTimes(4);
  });

  it('after a run rolled back, applies its records alone up to the failing one, whose try counts, then runs the rest', async () => {
    // Arrange: the run of five fails at its third record
    const error = new Error('hiccup');
    const { consumer, payload, resolved, applier, retrying } = arrange(
      batchOf('apply', 'apply', 'apply', 'apply', 'apply'),
      {
        index: 2,
        error,
      },
    );

    // Act
    await consumer.consume(payload);

    // Assert
    expect(
      retrying.apply.mock.calls.map(([record, , firstError]) => [record.message.offset, firstError]),
    ).toEqual([
      ['0', undefined],
      ['1', undefined],
      ['2', error],
    ]);
    expect(applier.apply.mock.calls.map(([run]) => offsetsOf(run))).toEqual([
      ['0', '1', '2', '3', '4'],
      ['3', '4'],
    ]);
    expect(resolved).toEqual(['0', '1', '2', '3', '4']);
  });

  it('leaves the partition as soon as a record is left for its next owner, resolving nothing after it', async () => {
    // Arrange
    const { consumer, payload, resolved, retrying } = arrange(batchOf('skip', 'apply', 'skip'));
    retrying.apply.mockResolvedValueOnce(false);

    // Act
    await consumer.consume(payload);

    // Assert
    expect(resolved).toEqual(['0']);
    expect(payload.commitOffsetsIfNecessary).toHaveBeenCalledTimes(1);
  });
});
