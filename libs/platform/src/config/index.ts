export * from './parse-env';
export * from './service-config';
export * from './load-seed';
