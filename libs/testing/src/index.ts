export * from './free-port';
export * from './postgres-server';
export * from './test-data-source';
export * from './test-database';
export * from './test-kafka';
export * from './test-topics';
export * from '@saga/common';
