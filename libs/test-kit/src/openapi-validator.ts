import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** The parts of an OpenAPI 3.1 document the validator reads. */
interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
}
interface Operation {
  readonly responses: Readonly<Record<string, Response>>;
}
interface Response {
  readonly content?: Readonly<Record<string, { readonly schema?: unknown }>>;
  readonly headers?: Readonly<Record<string, { readonly required?: boolean; readonly schema?: unknown }>>;
}

/** What the validator checks of an answer: the request it answers, and the answer. */
export interface ObservedResponse {
  readonly method: string;
  /** The request's path, with or without a query string. */
  readonly path: string;
  readonly status: number;
  /** Its headers (names in any case). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body: parsed when it is JSON, else the text (undefined when empty). */
  readonly body: unknown;
}

/** Where the checked-in documents are (`npm run openapi:generate`). */
export const OPENAPI_DIR = join(__dirname, '..', '..', '..', 'docs', 'openapi');

/** The fields of an OpenAPI 3.1 document, beside which its schemas live. */
const OPENAPI_FIELDS = [
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'paths',
  'webhooks',
  'components',
  'security',
  'tags',
];

/** `a/b` → `a~1b`: a JSON pointer segment. */
const pointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** A documented path as a pattern: `/orders/{id}` matches `/orders/<one segment>`. */
function pathPattern(template: string): RegExp {
  const escaped = template
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${escaped}$`);
}

/**
 * Checks HTTP answers against a service's OpenAPI 3.1 document: the operation exists, the status is
 * documented for it, the content type is one it lists, the body is valid against its JSON Schema
 * (draft 2020-12, as OpenAPI 3.1 has it), and every required header is there and valid. The e2e
 * tests' client runs every answer through it, so an answer that disagrees with the document fails the test.
 */
export class OpenApiResponseValidator {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: readonly { template: string; pattern: RegExp }[];

  constructor(private readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    // The document is added whole, so that its `#/components/schemas/…` references resolve; its
    // top-level fields are OpenAPI's, not JSON Schema keywords: declared so, strict mode takes them.
    this.ajv.addVocabulary(OPENAPI_FIELDS);
    this.ajv.addSchema(document, 'openapi');
    // Literal paths before templated ones: `/docs/openapi.json` is not `/docs/assets/{file}`'s.
    this.templates = Object.keys(document.paths)
      .sort((a, b) => Number(a.includes('{')) - Number(b.includes('{')))
      .map((template) => ({ template, pattern: pathPattern(template) }));
  }

  /** The validator of a service's checked-in document, `docs/openapi/<service>.json`. */
  static forService(service: string): OpenApiResponseValidator {
    const text = readFileSync(join(OPENAPI_DIR, `${service}.json`), 'utf8');
    return new OpenApiResponseValidator(JSON.parse(text) as OpenApiDocument);
  }

  /** What is wrong with `answer` by the document; empty when it agrees. */
  problems(answer: ObservedResponse): string[] {
    const method = answer.method.toLowerCase();
    const path = answer.path.split('?')[0];
    const found = this.templates.find(({ pattern }) => pattern.test(path));
    const operation = found && this.document.paths[found.template][method];
    if (!found || !operation) return [`${answer.method} ${path} is not in the document`];
    const where = `${answer.method} ${found.template} ${answer.status}`;
    const status = String(answer.status);
    const documented =
      status in operation.responses
        ? status
        : `${status[0]}XX` in operation.responses
          ? `${status[0]}XX`
          : 'default' in operation.responses
            ? 'default'
            : undefined;
    if (!documented) {
      return [`${where}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
    }
    const response = operation.responses[documented];
    const base = `openapi#/paths/${pointer(found.template)}/${method}/responses/${documented}`;
    const headers = Object.fromEntries(
      Object.entries(answer.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const problems: string[] = [];
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const value = headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) problems.push(`${where}: the required header ${name} is missing`);
        continue;
      }
      if (header.schema) {
        problems.push(
          ...this.validate(`${base}/headers/${pointer(name)}/schema`, value, `${where} header ${name}`),
        );
      }
    }
    const content = response.content ?? {};
    if (Object.keys(content).length === 0) {
      if (answer.body !== undefined && answer.body !== '')
        problems.push(`${where}: a body where none is documented`);
      return problems;
    }
    const mediaType = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!(mediaType in content)) {
      problems.push(`${where}: content type "${mediaType}" is not one of ${Object.keys(content).join(', ')}`);
      return problems;
    }
    if (/^application\/([\w.-]+\+)?json$/.test(mediaType) && content[mediaType].schema) {
      problems.push(
        ...this.validate(`${base}/content/${pointer(mediaType)}/schema`, answer.body, `${where} body`),
      );
    }
    return problems;
  }

  /** Throws, listing what is wrong, when `answer` disagrees with the document. */
  check(answer: ObservedResponse): void {
    const problems = this.problems(answer);
    if (problems.length > 0) {
      throw new Error(
        `the answer disagrees with the OpenAPI document (fix the code, or its schemas and npm run openapi:generate):\n  ` +
          `${problems.join('\n  ')}\n  body: ${JSON.stringify(answer.body)?.slice(0, 2000)}`,
      );
    }
  }

  /** Compiles the schema of every documented answer and header, as {@link check} would; how many. */
  compileAll(): number {
    let count = 0;
    for (const [path, item] of Object.entries(this.document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          const base = `openapi#/paths/${pointer(path)}/${method}/responses/${status}`;
          const parts = [
            ...Object.keys(response.content ?? {}).map((type) => `content/${pointer(type)}/schema`),
            ...Object.keys(response.headers ?? {}).map((name) => `headers/${pointer(name)}/schema`),
          ];
          for (const part of parts) {
            this.compiledAt(`${base}/${part}`);
            count += 1;
          }
        }
      }
    }
    return count;
  }

  private compiledAt(ref: string): ValidateFunction {
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, validate);
    }
    return validate;
  }

  private validate(ref: string, value: unknown, what: string): string[] {
    const validate = this.compiledAt(ref);
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (error) => `${what}: ${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`,
    );
  }
}
