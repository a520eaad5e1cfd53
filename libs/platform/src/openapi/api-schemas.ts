import { z } from 'zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';

/**
 * An RFC 9457 problem details body: every error of every service (`application/problem+json`). Field
 * errors of a request are listed in `errors`; other extension members may be added beside the standard ones.
 */
export const ProblemDetailsSchema = z
  .object({
    type: z.string().describe('A URI naming the problem type; `about:blank` when the status says it all.'),
    title: z.string().describe('Short, human-readable summary of the problem type.'),
    status: z.number().int().min(400).max(599).describe('The HTTP status code.'),
    detail: z.string().optional().describe('What went wrong with this request.'),
    instance: z.string().optional().describe('The request path.'),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('The request fields that were refused, one by one.'),
  })
  .catchall(z.unknown())
  .meta({ id: 'ProblemDetails', description: 'An RFC 9457 problem details body.' });

/** The media type of every error. */
export const PROBLEM_JSON = 'application/problem+json';

/** What each error status means on this platform, as the document words it. */
const ERROR_DESCRIPTIONS = {
  400: 'The request is malformed: bad JSON, or a field refused by its schema (listed in `errors`).',
  401: 'No valid bearer token. Answered with `WWW-Authenticate: Bearer realm="saga-platform"`.',
  403: "The token lacks the operation's role, or names another customer.",
  404: "Not found, or not the caller's: another customer's resource answers as a missing one.",
  409: 'The resource is in a state that does not allow this.',
  413: 'The body is larger than 64 KiB.',
  415: 'The body is not JSON (`Content-Type: application/json`) or not in UTF-8.',
  422: 'The request is well-formed but names something that cannot be used (an unknown SKU).',
  429: 'Too many requests of this caller in the window.',
  500: 'An unexpected error; the body says only "Internal Server Error" (the details are in the log).',
  503: 'The service cannot take the request now.',
} as const;

/** An error status the platform documents. */
export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** The problem+json answer of `status`, with an operation's own words when given. */
export function problemResponse(status: ErrorStatus, description?: string): ZodOpenApiResponseObject {
  return {
    description: description ?? ERROR_DESCRIPTIONS[status],
    content: { [PROBLEM_JSON]: { schema: ProblemDetailsSchema } },
  };
}

/**
 * A 503 "not now": the problem+json body (its `retryAfterMs`), and how long to wait in `Retry-After`
 * (whole seconds, RFC 9110) and `Retry-After-Ms` (milliseconds).
 */
export function notNowResponse(description: string): ZodOpenApiResponseObject {
  return {
    ...problemResponse(503, description),
    headers: z.object({
      'Retry-After': z.string().regex(/^\d+$/).describe('Seconds to wait before sending again (RFC 9110).'),
      'Retry-After-Ms': z.string().regex(/^\d+$/).describe('The same wait, in milliseconds.'),
    }),
  };
}

/** The problem+json answers of `statuses`, keyed by status, as an operation's `responses` takes them. */
export function problemResponses(...statuses: ErrorStatus[]): Record<string, ZodOpenApiResponseObject> {
  return Object.fromEntries(statuses.map((status) => [String(status), problemResponse(status)]));
}

/** A JSON answer of `schema`. */
export function jsonResponse(description: string, schema: z.ZodType): ZodOpenApiResponseObject {
  return { description, content: { 'application/json': { schema } } };
}

/** A JSON request body of `schema`. */
export function jsonBody(schema: z.ZodType, required = true) {
  return { required, content: { 'application/json': { schema } } };
}
