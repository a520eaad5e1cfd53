import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { ASYNCAPI_FILE, SCHEMA_DIR, asyncApiYaml } from '../tools/generate';
import { incompatibilities } from './compatibility';
import { eventJsonSchema, type JsonSchema } from './json-schema';
import { EVENTS } from './registry';
import { TOPICS } from './topics';

const published = (type: string) =>
  JSON.parse(readFileSync(join(SCHEMA_DIR, `${type}.json`), 'utf8')) as JsonSchema;

/**
 * The compatibility guard. libs/contracts/schemas/ holds the published schema of every event version;
 * these tests fail when the code drifts from it: incompatibly (add a v2), or at all (regenerate).
 */
describe('published event schemas', () => {
  it.each(EVENTS.map((event) => [event.type, event] as const))('%s is published', (type) => {
    expect(existsSync(join(SCHEMA_DIR, `${type}.json`))).toBe(true);
  });

  it.each(EVENTS.map((event) => [event.type, event] as const))(
    '%s has changed only compatibly since it was published (else add a new version)',
    (type, event) => {
      expect(incompatibilities(published(type), eventJsonSchema(event))).toEqual([]);
    },
  );

  it.each(EVENTS.map((event) => [event.type, event] as const))(
    '%s matches its published schema file (run npm run contracts:generate)',
    (type, event) => {
      expect(eventJsonSchema(event)).toEqual(published(type));
    },
  );

  it('keeps every published version: none is removed from the registry', () => {
    // Act
    const files = readdirSync(SCHEMA_DIR).map((file) => file.replace(/\.json$/, ''));

    // Assert
    expect(files.sort()).toEqual(EVENTS.map((event) => event.type).sort());
  });
});

describe('docs/asyncapi.yaml', () => {
  it('is generated from the current contracts (run npm run contracts:generate)', () => {
    expect(readFileSync(ASYNCAPI_FILE, 'utf8')).toBe(asyncApiYaml());
  });

  it('is a valid AsyncAPI 3.0 document with a message per event version', async () => {
    // Act
    const { document, diagnostics } = await new Parser().parse(readFileSync(ASYNCAPI_FILE, 'utf8'));

    // Assert
    expect(diagnostics.filter((diagnostic) => Number(diagnostic.severity) === 0)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(
      document
        ?.channels()
        .all()
        .map((channel) => channel.address())
        .sort(),
    ).toEqual(
      Object.values(TOPICS)
        .map((topic) => topic.name)
        .sort(),
    );
    expect(document?.allMessages().all().length).toBe(EVENTS.length);
  });
});
