import { z } from 'zod';
import { parseEnv } from '@saga/platform';

/** When an order counts as stuck, and how often the order service looks. */
export interface StuckConfig {
  /** An order not settled this long after it was placed is stuck (`SAGA_STUCK_AFTER_MS`, default 60 s). */
  readonly afterMs: number;
  /** How often the detector flags newly stuck orders (`SAGA_STUCK_CHECK_INTERVAL_MS`, default 5 s). */
  readonly checkIntervalMs: number;
}

/** Injection token of the {@link StuckConfig}. */
export const STUCK_CONFIG = Symbol('STUCK_CONFIG');

const schema = z
  .object({
    SAGA_STUCK_AFTER_MS: z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int('must be a whole number of milliseconds')
      .min(100, 'must be at least 100 ms')
      .default(60_000),
    SAGA_STUCK_CHECK_INTERVAL_MS: z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int('must be a whole number of milliseconds')
      .min(50, 'must be at least 50 ms')
      .default(5_000),
  })
  .transform((env): StuckConfig => ({
    afterMs: env.SAGA_STUCK_AFTER_MS,
    checkIntervalMs: env.SAGA_STUCK_CHECK_INTERVAL_MS,
  }));

/** Reads the stuck-saga settings; fails fast with a ConfigError naming the variable. */
export function loadStuckConfig(env: Record<string, string | undefined>): StuckConfig {
  return parseEnv(schema, env);
}
