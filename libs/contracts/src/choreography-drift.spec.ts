import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHOREOGRAPHY, eventsConsumedBy, typesConsumedBy } from './choreography';
import * as contracts from './index';
import { EVENTS } from './registry';
import { SERVICE_NAMES, isPlatformService } from './services';

const ROOT = resolve(__dirname, '..', '..', '..');

/** The source files of one app, tests left out. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /(?<!\.(spec|int-spec|e2e-spec))\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** The event types an app's `@OnEvent(<definition>)` handlers take, read from its source. */
function handledTypes(app: string): string[] {
  const exports: Readonly<Record<string, unknown>> = contracts;
  return sourceFiles(join(ROOT, 'apps', app, 'src')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/@OnEvent\(\s*(\w+)\s*\)/g)].map(([, name]) => {
      const definition = EVENTS.find((event) => event === exports[name]);
      const type = definition?.type;
      if (!type) throw new Error(`${file}: @OnEvent(${name}) is not an event of @saga/contracts`);
      return type;
    }),
  );
}

/** The rows of the "Who consumes what" table of docs/saga.md: service → event names consumed. */
function documentedConsumers(): Map<string, string[]> {
  const doc = readFileSync(join(ROOT, 'docs', 'saga.md'), 'utf8');
  const section = doc.split('## Who consumes what')[1].split('\n## ')[0];
  const rows = section.split('\n').filter((line) => /^\|\s*[a-z]/.test(line));
  return new Map(
    rows.slice(1).map((row) => {
      const [service, consumed] = row
        .split('|')
        .map((cell) => cell.trim())
        .slice(1);
      const names = consumed.replace(/\([^)]*\)/g, '').split(',');
      return [service, names.map((name) => name.trim()).filter(Boolean)];
    }),
  );
}

const apps = readdirSync(join(ROOT, 'apps')).filter((app) => existsSync(join(ROOT, 'apps', app, 'src')));

describe('the choreography table and the code', () => {
  it('has an entry for every app, and every entry is an app', () => {
    expect(apps.filter((app) => !isPlatformService(app))).toEqual([]);
    expect(Object.keys(CHOREOGRAPHY).sort()).toEqual([...apps].sort());
  });

  it.each(apps)("lists exactly the events of %s's @OnEvent handlers", (app) => {
    // Act
    const handled = handledTypes(app);

    // Assert
    expect(new Set(handled).size).toBe(handled.length);
    expect([...handled].sort()).toEqual(isPlatformService(app) ? typesConsumedBy(app).sort() : []);
  });
});

describe('the choreography table and docs/saga.md', () => {
  it('documents what each of the four consumes as the table has it (and any added service listed)', () => {
    // Act
    const documented = documentedConsumers();

    // Assert
    expect([...documented.keys()]).toEqual(expect.arrayContaining([...SERVICE_NAMES]));
    for (const [service, names] of documented) {
      expect(isPlatformService(service)).toBe(true);
      if (!isPlatformService(service)) continue;
      expect({ service, consumes: [...names].sort() }).toEqual({
        service,
        consumes: eventsConsumedBy(service)
          .map((event) => event.name)
          .sort(),
      });
    }
  });
});
