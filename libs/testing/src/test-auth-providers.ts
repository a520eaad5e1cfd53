import type { Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard, TokenVerifier, authSettingsFromEnv } from '@saga/platform';
import { testTokenIssuer } from '@saga/test-kit';

/**
 * The auth guard of the services, trusting the process's test issuer: for a Nest testing module that
 * mounts a controller without the whole platform (`providers: [...testAuthProviders()]`).
 */
export function testAuthProviders(): Provider[] {
  // The services' own parsing and defaults, over the issuer's key: what a service with this env verifies.
  const settings = authSettingsFromEnv(testTokenIssuer().serviceEnv());
  return [
    { provide: TokenVerifier, useValue: new TokenVerifier(settings) },
    { provide: APP_GUARD, useClass: AuthGuard },
  ];
}
