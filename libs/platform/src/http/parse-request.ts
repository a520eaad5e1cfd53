import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';

/**
 * Validates a request part (body, parameter, query, header) against a zod schema. On failure throws a
 * 400 whose problem+json body says what was wrong, field by field, in `errors: [{ path, message }]`.
 */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what = 'request body',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  throw new BadRequestException({
    message: `invalid ${what}: ${errors.map((error) => `${error.path}: ${error.message}`).join('; ')}`,
    errors,
  });
}
