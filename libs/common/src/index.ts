export * from './delete-in-batches';
export * from './idempotent-producer';
export * from './wait-for';
export * from './read-to-end';
export * from './trace-context';
export * from './with-timeout';
export * from './periodic';
export * from './retry-after';
