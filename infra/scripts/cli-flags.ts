import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Parses a command line of `--flag [value]` options only: no positionals, an unknown flag refused. A line
 * that does not parse throws with `usage` after the reason.
 */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: O,
  usage: string,
) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${usage}`);
  }
}

/** The integer `raw` stands for, within `[min, max]`, or an error naming the flag and the usage. */
export function integerFlag(flag: string, raw: unknown, min: number, max: number, usage: string): number {
  const value = Number(raw);
  if (
    typeof raw !== 'string' ||
    raw.trim() === '' ||
    !Number.isInteger(value) ||
    value < min ||
    value > max
  ) {
    throw new Error(`${flag} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}\n${usage}`);
  }
  return value;
}
