import { context, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { activeOrderId, activeTraceIds } from '@saga/common';
import type { ServiceConfig } from '../config';

/** Nest's level names as pino spells them. */
const PINO_LEVEL = { debug: 'debug', log: 'info', warn: 'warn', error: 'error' } as const;

/**
 * The service whose span is active: its tracer provider's `service.name`. Nest's logger is one per
 * process, so in a process that runs several services (the e2e tests) this, not the logger, says whose
 * work a line is.
 */
function activeSpanService(): string | undefined {
  const span = trace.getSpan(context.active()) as
    { resource?: { attributes?: Record<string, unknown> } } | undefined;
  const name = span?.resource?.attributes?.['service.name'];
  return typeof name === 'string' ? name : undefined;
}

/**
 * What every line written inside saga work carries: the order it is for, and the trace and span it
 * belongs to. Read from the active OpenTelemetry context at the moment of logging, so a line needs no
 * logger passed down to it.
 */
export function sagaLogFields(): { orderId?: string; traceId?: string; spanId?: string } {
  const orderId = activeOrderId();
  const ids = activeTraceIds();
  return { ...(orderId ? { orderId } : {}), ...(ids ? { traceId: ids.traceId, spanId: ids.spanId } : {}) };
}

/**
 * The service's pino logger: JSON lines (`LOG_FORMAT=json`) with `service` (the active span's service,
 * else this one), an ISO `time`, and the {@link sagaLogFields}; or the same fields as coloured lines for
 * a terminal (`LOG_FORMAT=pretty`). `destination` replaces stdout (a test's stream).
 */
export function createServiceLogger(
  config: Pick<ServiceConfig, 'service' | 'logLevel' | 'logFormat'>,
  destination?: DestinationStream,
): Logger {
  const stream =
    destination ??
    (config.logFormat === 'pretty'
      ? pretty({ sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
      : pino.destination({ fd: 1, sync: false }));
  return pino(
    {
      level: PINO_LEVEL[config.logLevel],
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => ({ service: activeSpanService() ?? config.service, ...sagaLogFields() }),
    },
    stream,
  );
}
