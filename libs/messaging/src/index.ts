export * from './dead-letter';
export * from './on-event.decorator';
export * from './retry-policy';
export * from './saga-event-context';
export * from './saga-kafka.server';
export * from './dead-letter-store';
export * from './pass-errors-through.filter';
export * from './infrastructure-error';
