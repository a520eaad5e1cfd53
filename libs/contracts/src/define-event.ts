import type { z } from 'zod';
import type { TopicDefinition } from './topics';

/**
 * One version of one event type: its CloudEvents `type` (which carries the version), the topic it is
 * published on, its data schema and how the record key is derived from the data. Defined once, here;
 * producers and consumers import the definition and never write a type, topic or shape by hand.
 */
export interface EventDefinition<Schema extends z.ZodType = z.ZodType> {
  /** CloudEvents `type`, e.g. `order.placed.v1`: `<domain>.<event>.v<version>`. */
  readonly type: string;
  /** The event's name in prose and in the AsyncAPI document, e.g. `OrderPlaced`. */
  readonly name: string;
  /** The schema version, the number after `.v` in {@link type}. */
  readonly version: number;
  /** What the event means, for docs. */
  readonly description: string;
  /** Where it is published. */
  readonly topic: TopicDefinition;
  /** The data schema (the record value). */
  readonly schema: Schema;
  /** The record key for a given payload: the order id on saga topics, the sku on the catalog. */
  readonly key: (data: z.output<Schema>) => string;
}

/** The data type of an event definition. */
export type EventData<Definition extends EventDefinition> = z.output<Definition['schema']>;

/** Declares an event version; checks that the type's version suffix matches `version`. */
export function defineEvent<Schema extends z.ZodType>(
  definition: EventDefinition<Schema>,
): EventDefinition<Schema> {
  if (!definition.type.endsWith(`.v${definition.version}`)) {
    throw new Error(`event type ${definition.type} must end with .v${definition.version}`);
  }
  return Object.freeze(definition);
}
