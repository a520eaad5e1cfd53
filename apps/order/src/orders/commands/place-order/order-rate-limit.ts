import { z } from 'zod';
import { parseEnv } from '@saga/platform';

/**
 * How many `POST /orders` one customer may send per window (`ORDER_RATE_LIMIT`, default 30) and the
 * window (`ORDER_RATE_LIMIT_WINDOW_MS`, default 60 s); more answer `429`. Counted per instance.
 */
export interface OrderRateLimit {
  /** Orders one customer may place per window. */
  readonly limit: number;
  /** The window, in ms. */
  readonly windowMs: number;
}

const schema = z
  .object({
    ORDER_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
    ORDER_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(100).default(60_000),
  })
  .transform((env): OrderRateLimit => ({
    limit: env.ORDER_RATE_LIMIT,
    windowMs: env.ORDER_RATE_LIMIT_WINDOW_MS,
  }));

/** Reads the order service's rate limit; fails fast with a ConfigError naming the variable. */
export function loadOrderRateLimit(env: Record<string, string | undefined>): OrderRateLimit {
  return parseEnv(schema, env);
}
