import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, parseEnv } from './parse-env';

const SeedEnv = z.object({ SEED_FILE: z.string().min(1).optional() });

/** What one service seeds from the shared seed file. */
export interface SeedSection<Item> {
  /** Its key in the file, e.g. `accounts`; a missing key means nothing to seed. */
  readonly key: string;
  /** One item's schema. */
  readonly item: z.ZodType<Item>;
  /** An item's identity: two items with the same one are an error. */
  readonly idOf: (item: Item) => string;
  /** The identity's name, for that error (`customerId`, `sku`). */
  readonly idName: string;
  /** What to seed when `SEED_FILE` is unset (the demo's data). */
  readonly demo: readonly Item[];
}

/**
 * The items a service seeds at boot, from `SEED_FILE`: unset → the section's demo data; `none` → none;
 * else the path of a JSON file that holds every service's section (each reads its own key). Throws a
 * {@link ConfigError} naming `SEED_FILE` when the file cannot be read or is not valid, so the service
 * refuses to boot instead of running with half its data.
 */
export function loadSeed<Item>(
  env: Record<string, string | undefined>,
  section: SeedSection<Item>,
): readonly Item[] {
  const { SEED_FILE: path } = parseEnv(SeedEnv, env);
  if (path === undefined) return section.demo;
  if (path === 'none') return [];
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([`SEED_FILE: cannot read ${path} as JSON: ${(error as Error).message}`]);
  }
  const file = z.object({
    [section.key]: z
      .array(section.item)
      .default([])
      .refine((items) => new Set(items.map(section.idOf)).size === items.length, {
        message: `lists a ${section.idName} twice`,
      }),
  });
  const result = file.safeParse(content);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw new ConfigError([`SEED_FILE: ${path} is not a valid seed file: ${problems.join('; ')}`]);
  }
  return result.data[section.key];
}
