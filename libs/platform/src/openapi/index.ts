export * from './api-schemas';
export * from './docs.controller';
export * from './service-document';
