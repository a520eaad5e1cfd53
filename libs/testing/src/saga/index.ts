export * from './saga-client';
export * from './saga-harness';
export * from './saga-platform';
export * from './process-platform';
export * from './platform-copy';
