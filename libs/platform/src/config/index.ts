export * from './parse-env';
export * from './service-config';
export * from './database-role';
export * from './load-seed';
export type { AuthSettings } from './auth-settings';
