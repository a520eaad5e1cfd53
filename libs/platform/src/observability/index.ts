export * from './observability.module';
export * from './platform-metrics';
export * from './service-logger';
export * from './telemetry';
export * from './traced-pg-client';
export * from './tracing';
