import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type oas31,
} from 'zod-openapi';
import type { Role } from '../auth/principal';
import { DeadLetterViewSchema, ReplayBody } from '../dead-letters/dead-letters.controller';
import { jsonBody, jsonResponse, notNowResponse, problemResponse, problemResponses } from './api-schemas';

/** An OpenAPI 3.1 document, as served at `/docs/openapi.json` and checked in under docs/openapi/. */
export type OpenApiDocument = oas31.OpenAPIObject;

/** What a service adds to the platform's endpoints: its own operations, described with its zod schemas. */
export interface ServiceApi {
  /** One sentence on what the service's API is for. */
  readonly description: string;
  /** Its operations by path (`/orders/{id}`), each built with {@link operation}. */
  readonly paths: ZodOpenApiPathsObject;
}

/** The version of the HTTP API the documents describe; raise it with a change clients must know of. */
export const API_VERSION = '1.0.0';

/** The security scheme every protected operation names. */
const BEARER = 'bearerAuth';

/** The challenge the auth guard sends with every 401. */
const BEARER_CHALLENGE = z.object({
  'WWW-Authenticate': z
    .literal('Bearer realm="saga-platform"')
    .describe('How to authenticate: a bearer token.'),
});

/** Who may call an operation: anyone (health, metrics, these docs), or a token holding one of the roles. */
export type Access = 'public' | readonly Role[];

/**
 * An operation with its access stated once: a protected one gets the bearer security requirement, its
 * roles in `x-roles` and its description, and the 401 and 403 answers the auth guard gives; every
 * operation may answer a 500. A public one says it needs no token.
 */
const DATABASE_UNAVAILABLE =
  'The database is unreachable, cut off or has no free connection for the request: send it again after `Retry-After`.';

export function operation(access: Access, spec: ZodOpenApiOperationObject): ZodOpenApiOperationObject {
  const errors =
    access === 'public'
      ? problemResponses(500)
      : { ...problemResponses(401, 403, 500), '401': { ...problemResponse(401), headers: BEARER_CHALLENGE } };
  const who =
    access === 'public'
      ? 'Public: no token needed.'
      : `Needs a bearer token with the role ${access.join(' or ')}.`;
  return {
    ...spec,
    description: spec.description ? `${spec.description}\n\n${who}` : who,
    security: access === 'public' ? [] : [{ [BEARER]: [] }],
    ...(access === 'public' ? {} : { 'x-roles': [...access] }),
    // Any authenticated operation reads the database: while it is unreachable or out of connections, 503.
    responses: {
      ...(access === 'public' ? {} : { '503': notNowResponse(DATABASE_UNAVAILABLE) }),
      ...spec.responses,
      ...errors,
    },
  };
}

const HealthIndicator = z
  .object({ status: z.enum(['up', 'down']) })
  .catchall(z.unknown())
  .describe("One check's state and what it reports (an outbox backlog, a dead-letter count…).");

/** `GET /health/ready`: Terminus' report of every check. */
export const HealthReportSchema = z
  .object({
    status: z.enum(['ok', 'error', 'shutting_down']),
    info: z.record(z.string(), HealthIndicator).optional().describe('The checks that are up.'),
    error: z.record(z.string(), HealthIndicator).optional().describe('The checks that are down.'),
    details: z.record(z.string(), HealthIndicator).describe('Every check.'),
  })
  .meta({ id: 'HealthReport' });

const DeadLetterList = z
  .object({
    topic: z.string().describe("The service's dead-letter topic."),
    deadLetters: z.array(DeadLetterViewSchema),
  })
  .meta({ id: 'DeadLetterList' });

const Replayed = z
  .object({
    topic: z.string().describe("The service's dead-letter topic."),
    replayed: z.array(DeadLetterViewSchema).describe('The letters sent back to their original topic.'),
  })
  .meta({ id: 'DeadLettersReplayed' });

/** A file of the API page: one of the names the page lists, nothing else. */
const DocsFile = z.object({
  file: z
    .string()
    .regex(/^[\w.-]+$/)
    .describe('A file of the page.'),
});

/** What every service answers, whatever its own API: health, metrics, dead letters and these docs. */
const PLATFORM_PATHS: ZodOpenApiPathsObject = {
  '/health/live': {
    get: operation('public', {
      tags: ['platform'],
      summary: 'Liveness: the process serves HTTP',
      responses: { '200': jsonResponse('Alive.', z.object({ status: z.literal('ok') })) },
    }),
  },
  '/health/ready': {
    get: operation('public', {
      tags: ['platform'],
      summary: 'Readiness: database, Kafka, outbox relay and consumer are up',
      responses: {
        '200': jsonResponse('Ready: send it traffic.', HealthReportSchema),
        '503': jsonResponse('Not ready: `error` names the failing checks.', HealthReportSchema),
      },
    }),
  },
  '/metrics': {
    get: operation('public', {
      tags: ['platform'],
      summary: "The service's metrics in Prometheus' text format",
      responses: {
        '200': {
          description: 'Prometheus text exposition format.',
          content: { 'text/plain': { schema: z.string() } },
        },
      },
    }),
  },
  '/admin/dead-letters': {
    get: operation(['admin'], {
      tags: ['dead letters'],
      summary: "The service's dead letters",
      responses: {
        '200': jsonResponse('Every letter of the dead-letter topic, oldest first.', DeadLetterList),
      },
    }),
  },
  '/admin/dead-letters/replay': {
    post: operation(['admin'], {
      tags: ['dead letters'],
      summary: 'Sends dead letters back to their original topic',
      description: 'Given ones (`{ ids }`), or all of them (`{ all: true }`); an unknown id sends nothing.',
      requestBody: jsonBody(ReplayBody),
      responses: {
        '202': jsonResponse('Sent back.', Replayed),
        ...problemResponses(400, 404, 413, 415),
      },
    }),
  },
  '/docs': {
    get: operation('public', {
      tags: ['platform'],
      summary: 'This API, browsable (Swagger UI)',
      responses: { '200': { description: 'The page.', content: { 'text/html': { schema: z.string() } } } },
    }),
  },
  '/docs/openapi.json': {
    get: operation('public', {
      tags: ['platform'],
      summary: 'This document (OpenAPI 3.1)',
      responses: {
        '200': jsonResponse('The document.', z.object({ openapi: z.string() }).catchall(z.unknown())),
      },
    }),
  },
  '/docs/assets/{file}': {
    get: operation('public', {
      tags: ['platform'],
      summary: "The page's scripts and styles",
      requestParams: { path: DocsFile },
      responses: {
        '200': {
          description: 'The file.',
          content: { 'text/javascript': { schema: z.string() }, 'text/css': { schema: z.string() } },
        },
        ...problemResponses(404),
      },
    }),
  },
};

/**
 * The OpenAPI 3.1 document of a service: its own operations (`api`) and the platform's, generated from
 * the zod schemas that validate the requests and type the answers. No service has none: a service
 * without an API of its own (a generated one) still has health, metrics, dead letters and docs.
 */
export function serviceDocument(service: string, api?: ServiceApi): OpenApiDocument {
  const clash = Object.keys(api?.paths ?? {}).filter((path) => path in PLATFORM_PATHS);
  if (clash.length > 0) throw new Error(`${service}: ${clash.join(', ')} is the platform's own path`);
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: `${service} service`,
      version: API_VERSION,
      description: [
        api?.description ?? `The ${service} service of saga-platform.`,
        'Every endpoint but health, metrics and these docs needs `Authorization: Bearer <jwt>` ' +
          '(docs/security.md). Every error is `application/problem+json`. A body must be JSON ' +
          '(`Content-Type: application/json`) of at most 64 KiB.',
      ].join('\n\n'),
    },
    security: [{ [BEARER]: [] }],
    components: {
      securitySchemes: {
        [BEARER]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT of the token issuer: `sub` is the customer id, `roles` holds `customer` and/or `admin`.',
        },
      },
    },
    paths: { ...api?.paths, ...PLATFORM_PATHS },
  });
}
