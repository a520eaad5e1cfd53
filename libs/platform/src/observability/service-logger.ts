import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { activeOrderId, activeTraceIds } from '@saga/common';
import type { ServiceConfig } from '../config';

/** Nest's level names as pino spells them. */
const PINO_LEVEL = { debug: 'debug', log: 'info', warn: 'warn', error: 'error' } as const;

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
 * The service's pino logger: JSON lines (`LOG_FORMAT=json`) with `service`, an ISO `time`, and the
 * {@link sagaLogFields}; or the same fields as coloured lines for a terminal (`LOG_FORMAT=pretty`).
 * `destination` replaces stdout (a test's stream).
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
      base: { service: config.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: sagaLogFields,
    },
    stream,
  );
}
