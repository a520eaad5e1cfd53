export * from './free-port';
export * from './postgres-server';
export * from './test-database';
export * from './test-kafka';
export * from './wait-for';
