export * from './service-roles';
