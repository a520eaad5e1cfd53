import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Tracer } from '@opentelemetry/api';
import type { DestinationStream, Logger } from 'pino';
import type { ServiceConfig } from '../config';
import { PlatformMetrics } from './platform-metrics';
import { createServiceLogger } from './service-logger';
import { createTracing } from './tracing';

/** Nest token of the service's {@link Telemetry}. */
export const TELEMETRY = Symbol('TELEMETRY');

/** What a service is observed through: its traces, its metrics and its logs. */
export interface Telemetry {
  readonly tracer: Tracer;
  readonly metrics: PlatformMetrics;
  readonly logger: Logger;
  /** Flushes the spans still buffered. */
  shutdown(): Promise<void>;
}

/** What a caller (a test) can add to a service's telemetry. */
export interface TelemetryOptions {
  /** Also given every span the service ends (an in-memory exporter's processor, in a test). */
  readonly spanProcessors?: readonly SpanProcessor[];
  /** Where log lines go instead of stdout. */
  readonly logDestination?: DestinationStream;
}

/** Builds a service's telemetry from its validated config (see {@link createTracing}). */
export function createTelemetry(config: ServiceConfig, options: TelemetryOptions = {}): Telemetry {
  const tracing = createTracing(config, options.spanProcessors);
  return {
    tracer: tracing.tracer,
    metrics: new PlatformMetrics(config.service),
    logger: createServiceLogger(config, options.logDestination),
    shutdown: () => tracing.shutdown(),
  };
}
