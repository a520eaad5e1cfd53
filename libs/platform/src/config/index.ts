export * from './parse-env';
export * from './service-config';
