import type { EntityManager } from 'typeorm';

/** What a handler gets beside the event: the transaction to write in, and where the record came from. */
export interface SagaEventContext {
  /**
   * The manager of the handler's transaction. The inbox entry is already written in it; every write
   * of the handler (business rows, outbox events) must go through it, so all commit together.
   */
  readonly manager: EntityManager;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** 1 on the first try; more when a transient failure is retried. */
  readonly attempt: number;
}

/**
 * Thrown by a handler for a failure that no retry can fix (the event contradicts the service's state
 * in a way that needs a person): the record goes to the dead-letter topic at once.
 */
export class NonRetriableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonRetriableError';
  }
}
