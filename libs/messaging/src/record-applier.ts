import { ROOT_CONTEXT, context, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { lastValueFrom, type Observable } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
import { traceparentOf } from '@saga/common';
import { recordAllInInbox } from '@saga/inbox';
import type { DecodedRecord } from './classify-record';
import { asError } from './infrastructure-error';
import { endRecordSpan, startRecordSpan } from './record-span';
import type { SagaEventContext } from './saga-event-context';
import type { ConsumerObserver, ConsumerStats } from './saga-kafka.options';

/** Where records are applied, and which try it is. */
export type ApplyPosition = Pick<SagaEventContext, 'topic' | 'partition' | 'attempt'>;

/** Which record of a run failed, and with what. */
export interface RunFailure {
  readonly index: number;
  readonly error: Error;
}

/** What {@link RecordApplier} needs from its consumer. */
export interface RecordApplierOptions {
  readonly dataSource: DataSource;
  /** The consumer group, which is also the inbox's consumer name. */
  readonly groupId: string;
  /** The benchmark's unsafe baseline: no inbox, so a redelivered record is applied again. */
  readonly unsafeSkipInbox?: boolean;
  readonly tracer: Tracer;
  readonly observer: ConsumerObserver;
  /** Counted into: `applied` and `duplicates`. */
  readonly stats: ConsumerStats;
  /** Nest's reading of what a handler returned (a value, a promise or an observable) as an observable. */
  readonly toObservable: (result: unknown) => Observable<unknown>;
}

/** What a transaction did so far, for the observer once it is over (committed or rolled back). */
interface RunLog {
  /** The record being applied: the one that failed, when the transaction throws. */
  index: number;
  /** Each handler that ran, and for how long. */
  readonly handled: { readonly type: string; readonly seconds: number }[];
  /** The types of the records the inbox knew already. */
  readonly duplicates: string[];
}

/** Applies records in one database transaction: a run of them, or one alone. */
export class RecordApplier {
  constructor(private readonly options: RecordApplierOptions) {}

  /**
   * Applies records in one transaction: one inbox statement for all of them (a duplicate stops there),
   * then each new event's handler in partition order, writing through the context's manager — everything
   * commits together, or nothing. Resolves undefined once committed; else which record failed, and why.
   */
  async apply(records: readonly DecodedRecord[], where: ApplyPosition): Promise<RunFailure | undefined> {
    const { groupId, observer, stats } = this.options;
    const spans = records.map(({ event, message }) =>
      startRecordSpan(this.options.tracer, event, { ...where, offset: message.offset, groupId }),
    );
    // A lone record's whole transaction (inbox statement, handler, commit) is part of its trace; a run
    // serves several traces at once, so only each handler's work goes into its record's trace.
    const runContext = records.length === 1 ? spans[0].context : ROOT_CONTEXT;
    const log: RunLog = { index: 0, handled: [], duplicates: [] };
    try {
      const applied = await context.with(runContext, () =>
        this.options.dataSource.transaction((manager) => this.applyIn(manager, records, where, spans, log)),
      );
      stats.applied += applied;
      stats.duplicates += records.length - applied;
      for (const { type, seconds } of log.handled) observer.handled(type, seconds, 'applied');
      for (const type of log.duplicates) observer.duplicate(type);
      for (const { span } of spans) endRecordSpan(span);
      return undefined;
    } catch (thrown) {
      // `index` is the record whose handler threw; when the inbox statement or the commit failed, it is the
      // first or the last one. Either way an unavailable database is retried without limit (one by one).
      const failure = { index: Math.min(log.index, records.length - 1), error: asError(thrown) };
      for (const { type, seconds } of log.handled) observer.handled(type, seconds, 'failed');
      spans.forEach(({ span }, i) =>
        endRecordSpan(span, i === failure.index ? failure.error : new Error('rolled back with its run')),
      );
      return failure;
    }
  }

  /**
   * The transaction's work: the inbox statement, then each new record's handler, in order. Resolves how
   * many records were applied (the others were duplicates).
   */
  private async applyIn(
    manager: EntityManager,
    records: readonly DecodedRecord[],
    where: ApplyPosition,
    spans: readonly { span: Span; context: Context }[],
    log: RunLog,
  ): Promise<number> {
    const events = records.map((record) => record.event);
    const fresh = this.options.unsafeSkipInbox
      ? undefined
      : await recordAllInInbox(manager, this.options.groupId, events);
    let count = 0;
    for (log.index = 0; log.index < records.length; log.index += 1) {
      const { event, handler, message } = records[log.index];
      const { span, context: spanContext } = spans[log.index];
      if (fresh && !fresh.delete(event.id)) {
        log.duplicates.push(event.type); // applied before, or earlier in this run
        span.setAttribute('saga.duplicate', true);
        continue;
      }
      const eventContext: SagaEventContext = { manager, ...where, offset: message.offset };
      // The events the handler causes (createEvent's causedBy) continue from this record's span.
      const traced = { ...event, traceparent: traceparentOf(spanContext) ?? event.traceparent };
      const started = performance.now();
      try {
        await context.with(spanContext, async (): Promise<void> => {
          await lastValueFrom(this.options.toObservable(await handler(traced, eventContext)), {
            defaultValue: undefined,
          });
        });
      } finally {
        log.handled.push({ type: event.type, seconds: (performance.now() - started) / 1000 });
      }
      count += 1;
    }
    return count;
  }
}
