export * from './test-data-source';
export * from './service-test-database';
export * from './test-auth-providers';
export * from './audit';
export * from './saga';
