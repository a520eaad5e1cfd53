import { z } from 'zod';

/** Thrown when the environment does not satisfy a service's configuration schema. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration; fix these environment variables:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Validates `env` against `schema` and returns the parsed result, or throws a {@link ConfigError} that
 * names every offending variable. Empty strings count as unset, so `PORT=` falls back to the default.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  if (result.success) {
    return result.data;
  }
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.length > 0 ? String(issue.path[0]) : '(environment)';
      const value = present[name];
      const shown = value === undefined ? 'unset' : JSON.stringify(redactValue(name, value));
      return `${name}: ${issue.message} (got ${shown})`;
    }),
  );
}

/** What a config error may show of a value: no password, secret or token, not even inside a URL. */
export function redactValue(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/PASSWORD|SECRET|TOKEN|KEY$/i.test(name)) return '***';
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
