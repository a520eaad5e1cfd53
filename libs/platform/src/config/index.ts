export * from './parse-env';
export * from './service-config';
export * from './database-role';
export * from './load-seed';
export {
  DEFAULT_TOKEN_AUDIENCE,
  DEFAULT_TOKEN_ISSUER,
  authSettingsFromEnv,
  type AuthSettings,
} from './auth-settings';
