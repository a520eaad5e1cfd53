import type { JsonSchema } from './json-schema';

/** Keywords that only document; changing them changes no record's validity. */
const DOCUMENTATION = new Set(['$id', '$schema', 'title', 'description', 'examples']);

/**
 * What makes `current` incompatible with the `published` schema of the same event version.
 *
 * The rule is deliberately strict and simple: a published version may only gain **optional**
 * properties and change its documentation. Anything else — a removed or newly required property, a
 * changed type, enum, bound, pattern or format — could make an old reader reject a new record or a new
 * reader reject an old one (and old records live on in the log). Such a change needs a new version
 * (`….v2`) and an upcaster instead. Returns one line per problem, with its JSON path; empty if compatible.
 */
export function incompatibilities(published: JsonSchema, current: JsonSchema, path = '$'): string[] {
  const problems: string[] = [];
  const keys = new Set([...Object.keys(published), ...Object.keys(current)]);
  for (const key of keys) {
    if (DOCUMENTATION.has(key)) continue;
    const before = published[key];
    const after = current[key];
    if (key === 'properties') {
      problems.push(...propertyChanges(published, current, path));
    } else if (key === 'required') {
      continue; // judged with the properties
    } else if (isSchema(before) && isSchema(after)) {
      problems.push(...incompatibilities(before, after, `${path}.${key}`));
    } else if (JSON.stringify(before) !== JSON.stringify(after)) {
      problems.push(`${path}: "${key}" changed from ${JSON.stringify(before)} to ${JSON.stringify(after)}`);
    }
  }
  return problems;
}

function propertyChanges(published: JsonSchema, current: JsonSchema, path: string): string[] {
  const problems: string[] = [];
  const before = (published.properties ?? {}) as Record<string, JsonSchema>;
  const after = (current.properties ?? {}) as Record<string, JsonSchema>;
  const requiredBefore = new Set((published.required ?? []) as string[]);
  const requiredAfter = new Set((current.required ?? []) as string[]);
  for (const name of Object.keys(before)) {
    if (!(name in after)) {
      problems.push(`${path}.${name}: removed`);
    } else if (requiredBefore.has(name) !== requiredAfter.has(name)) {
      problems.push(`${path}.${name}: ${requiredAfter.has(name) ? 'became required' : 'became optional'}`);
    } else {
      problems.push(...incompatibilities(before[name], after[name], `${path}.${name}`));
    }
  }
  for (const name of Object.keys(after)) {
    if (!(name in before) && requiredAfter.has(name)) {
      problems.push(`${path}.${name}: added as required (old records do not have it)`);
    }
  }
  return problems;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
