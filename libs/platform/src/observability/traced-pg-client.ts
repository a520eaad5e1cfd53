import { SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import { Client } from 'pg';

/** `SELECT`, `INSERT`, `WITH`…: the statement's first keyword, the span's name (never its text). */
function operationOf(text: string): string {
  return /^\s*([A-Za-z]+)/.exec(text)?.[1].toUpperCase() ?? 'QUERY';
}

/**
 * A `pg` Client class whose promise queries are client spans (`SELECT order_service`…), for the pool
 * TypeORM makes (pg-pool's documented `Client` option). Only work already traced gets spans: a query
 * with no active span (the relay's polling, housekeeping, a health probe) makes none, so the traces hold
 * the saga's statements and nothing else. Callback and streaming queries pass through untouched.
 */
export function tracedPgClient(tracer: Tracer, database: string): typeof Client {
  return class TracedClient extends Client {
    // pg's query has a dozen overloads; this one override forwards all of them as they came.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    override query(...args: any[]): any {
      // eslint-disable-next-line @typescript-eslint/unbound-method -- called on this client, below
      const untraced = super.query as (...forwarded: unknown[]) => unknown;
      const run = () => untraced.apply(this, args);
      const [config, values, callback] = args as [unknown, unknown, unknown];
      const active = context.active();
      const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
      const submittable = typeof (config as { submit?: unknown } | null)?.submit === 'function';
      const promised = typeof values !== 'function' && callback === undefined && !submittable;
      if (!trace.getSpan(active) || typeof text !== 'string' || !promised) return run();
      const operation = operationOf(text);
      const span = tracer.startSpan(
        `${operation} ${database}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'db.system.name': 'postgresql',
            'db.namespace': database,
            'db.operation.name': operation,
            'db.query.text': text.length > 2000 ? `${text.slice(0, 2000)}…` : text,
          },
        },
        active,
      );
      return (run() as Promise<unknown>).then(
        (result) => {
          span.end();
          return result;
        },
        (error: Error) => {
          span.recordException(error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
          span.end();
          throw error;
        },
      );
    }
  };
}
