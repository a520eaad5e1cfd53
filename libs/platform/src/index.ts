export * from './bootstrap/service-app';
export * from './config';
export * from './database/typeorm-options';
export * from './health/kafka.health';
export * from './http/problem-details.filter';
export * from './kafka/kafka-options';
export * from './platform.module';
export * from './service-config.token';
