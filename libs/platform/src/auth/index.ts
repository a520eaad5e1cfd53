export * from './auth.decorators';
export * from './auth.guard';
export * from './principal';
export * from './require-auth-key';
export * from './token-verifier';
