import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { PLATFORM_SERVICE_NAMES } from '@saga/contracts';
import { InvalidTokenError, type TokenVerifier } from '@saga/platform';
import { POISON_KINDS, SAGA_TOPICS, type PoisonKind } from '../chaos/chaos-records';
import { MAX_FREEZE_SECONDS, type BrokerState } from './broker-freezer';
import type { InstanceStatus } from './supervisor';

/** What `GET /status` answers (and `viewer`, from the caller's token if any). */
export interface DemoStatus {
  /** Whether the demo runs with `--chaos`: the chaos endpoints exist. */
  readonly chaos: boolean;
  readonly instances: readonly InstanceStatus[];
  readonly broker: BrokerState;
}

/** The faults the chaos panel injects; each resolves with what it did, for the page to show. */
export interface ChaosActions {
  kill(instance: string): unknown;
  freezeBroker(seconds: number): unknown;
  cutDatabase(service: (typeof PLATFORM_SERVICE_NAMES)[number]): Promise<unknown>;
  poison(choice: { topic: string; kind: PoisonKind }): Promise<unknown>;
}

/** A refusal with its HTTP status, answered as problem+json. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
};

/** A chaos endpoint: parses its body (400 when it does not fit) and calls its action. */
type Fault = (chaos: ChaosActions, body: unknown) => unknown;

function fault<T>(input: z.ZodType<T>, run: (chaos: ChaosActions, input: T) => unknown): Fault {
  return (chaos, body) => {
    const parsed = input.safeParse(body);
    if (!parsed.success) {
      throw new ControlError(
        400,
        parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '),
      );
    }
    return run(chaos, parsed.data);
  };
}

/** `POST /chaos/<name>`: each fault's body and action. */
const FAULTS: Readonly<Record<string, Fault | undefined>> = {
  kill: fault(
    z.strictObject({ instance: z.string().regex(/^[a-z][a-z-]*-\d{1,2}$/, 'must be like payment-1') }),
    (chaos, { instance }) => chaos.kill(instance),
  ),
  'freeze-broker': fault(
    z.strictObject({ seconds: z.number().int().min(1).max(MAX_FREEZE_SECONDS) }),
    (chaos, { seconds }) => chaos.freezeBroker(seconds),
  ),
  'cut-database': fault(z.strictObject({ service: z.enum(PLATFORM_SERVICE_NAMES) }), (chaos, { service }) =>
    chaos.cutDatabase(service),
  ),
  poison: fault(
    z.strictObject({
      topic: z.enum(SAGA_TOPICS as [string, ...string[]]).default('order.events'),
      kind: z.enum(Object.keys(POISON_KINDS) as [PoisonKind, ...PoisonKind[]]).default('garbage bytes'),
    }),
    (chaos, choice) => chaos.poison(choice),
  ),
};

/** Options of {@link startControlServer}. */
export interface ControlServerOptions {
  readonly port: number;
  /** Origins whose pages may call it (the dashboard's: every order instance). */
  readonly origins: readonly string[];
  /** The services' own verifier: the same public key, issuer and audience. */
  readonly verifier: TokenVerifier;
  readonly status: () => DemoStatus;
  /** Present with `--chaos` only. */
  readonly chaos?: ChaosActions;
}

/** The control server as started: its URL, and `close()`. */
export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4096;

/**
 * The demo's control server on 127.0.0.1: `GET /status` (every instance's state, the broker's) for the
 * dashboard, and with `--chaos` `POST /chaos/{kill,freeze-broker,cut-database,poison}` for an admin's
 * bearer token only (401 without a valid token, 403 for another role, 400 for a bad body; problem+json).
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const server = createServer((request, response) => {
    cors(request, response, options.origins);
    handle(request, response, options).catch((error: unknown) => {
      const status = error instanceof ControlError ? error.status : 500;
      const detail = error instanceof ControlError ? error.message : 'the fault could not be injected';
      if (status === 500) console.error(`[demo] control: ${request.method} ${request.url}:`, error);
      problem(response, status, detail, request.url);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`the demo's control port ${options.port} is taken: set DEMO_CONTROL_PORT to a free one`)
          : error,
      ),
    );
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: ControlServerOptions) {
  const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  if (request.method === 'OPTIONS') {
    response.writeHead(204).end();
    return;
  }
  if (request.method === 'GET' && path === '/status') {
    const admin = await isAdmin(request, options.verifier).catch(() => false);
    json(response, 200, { ...options.status(), viewer: { admin } });
    return;
  }
  const name = /^\/chaos\/([a-z-]+)$/.exec(path)?.[1];
  const chosen = name !== undefined && Object.hasOwn(FAULTS, name) ? FAULTS[name] : undefined;
  if (request.method !== 'POST' || !chosen) {
    throw new ControlError(404, `no ${request.method} ${path}: GET /status, POST /chaos/<fault>`);
  }
  if (!options.chaos) throw new ControlError(404, 'the demo runs without --chaos: no fault can be injected');
  await requireAdmin(request, response, options.verifier);
  json(response, 200, await chosen(options.chaos, await readJson(request)));
}

const bearer = (request: IncomingMessage) =>
  /^Bearer ([\w.~+/-]+=*)$/i.exec(request.headers.authorization?.slice(0, 8192) ?? '')?.[1];

async function isAdmin(request: IncomingMessage, verifier: TokenVerifier): Promise<boolean> {
  const token = bearer(request);
  return token !== undefined && (await verifier.verify(token)).roles.includes('admin');
}

async function requireAdmin(request: IncomingMessage, response: ServerResponse, verifier: TokenVerifier) {
  const token = bearer(request);
  const challenge = (detail: string) => {
    response.setHeader('WWW-Authenticate', 'Bearer realm="saga-platform"');
    return new ControlError(401, detail);
  };
  if (!token) throw challenge('a bearer token is required (Authorization: Bearer <jwt>)');
  try {
    const principal = await verifier.verify(token);
    if (!principal.roles.includes('admin'))
      throw new ControlError(403, 'injecting a fault needs the role admin');
  } catch (error) {
    if (error instanceof InvalidTokenError) throw challenge(error.message);
    throw error;
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ControlError(413, `a body is at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  try {
    return text === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    throw new ControlError(400, 'the body is not valid JSON');
  }
}

function cors(request: IncomingMessage, response: ServerResponse, origins: readonly string[]): void {
  const origin = request.headers.origin;
  response.setHeader('Vary', 'Origin');
  if (!origin || !origins.includes(origin)) return;
  response.setHeader('Access-Control-Allow-Origin', origin);
  response.setHeader('Access-Control-Allow-Methods', 'GET, POST');
  response.setHeader('Access-Control-Allow-Headers', 'authorization, content-type');
  response.setHeader('Access-Control-Max-Age', '600');
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

function problem(response: ServerResponse, status: number, detail: string, instance?: string): void {
  if (response.headersSent) return void response.end();
  response.writeHead(status, { 'content-type': 'application/problem+json' });
  response.end(
    JSON.stringify({ type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, instance }),
  );
}
