import { z } from 'zod';
import type { EventDefinition } from './define-event';

/** A JSON Schema document (draft-07), as generated from an event's zod schema. */
export type JsonSchema = Record<string, unknown>;

/**
 * The published JSON Schema of one event version: what a record's value must look like. Generated
 * for input (`io: 'input'`), so unknown properties are allowed: readers tolerate fields added later.
 */
export function eventJsonSchema(definition: EventDefinition): JsonSchema {
  const { $schema, ...schema } = z.toJSONSchema(definition.schema, { target: 'draft-7', io: 'input' });
  return {
    $schema,
    $id: `https://saga-platform.dev/schemas/${definition.type}.json`,
    title: `${definition.name} v${definition.version}`,
    description: definition.description,
    ...schema,
  };
}
