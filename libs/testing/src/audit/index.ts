export * from './audit';
export * from './audit-checks';
export * from './saga-subscriptions';
