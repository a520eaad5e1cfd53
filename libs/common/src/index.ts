export * from './delete-in-batches';
export * from './idempotent-producer';
export * from './wait-for';
