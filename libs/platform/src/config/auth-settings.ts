import { z } from 'zod';
import { parseEnv } from './parse-env';

/**
 * Where the public key that verifies JWT bearer tokens comes from, and what a token must say. Exactly
 * one of `publicKeyPem` and `jwksUrl` is set once the service boots ({@link requireAuthKey}); a CLI that
 * serves no HTTP (the catalog rebuild) may run without either.
 */
export interface AuthSettings {
  /** The issuer's public key, PEM (SPKI) (`AUTH_JWT_PUBLIC_KEY`; `\n` escapes are read as new lines). */
  readonly publicKeyPem?: string;
  /** The issuer's JSON Web Key Set (`AUTH_JWKS_URL`), for an identity provider that rotates its keys. */
  readonly jwksUrl?: string;
  /** Accepted signature algorithms (`AUTH_JWT_ALGORITHMS`, default `ES256`): asymmetric only. */
  readonly algorithms: readonly string[];
  /** The `iss` every token must carry (`AUTH_JWT_ISSUER`, default `saga-platform-dev`). */
  readonly issuer: string;
  /** The `aud` every token must carry (`AUTH_JWT_AUDIENCE`, default `saga-platform`). */
  readonly audience: string;
}

/** Asymmetric JWS algorithms only: a shared-secret `HS*` key would let every service mint tokens. */
const ASYMMETRIC_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
];

const algorithmList = z
  .string()
  .transform((raw) => raw.split(',').map((algorithm) => algorithm.trim()))
  .pipe(
    z
      .array(
        z.enum(ASYMMETRIC_ALGORITHMS as [string, ...string[]], {
          error: `must be a comma-separated list of ${ASYMMETRIC_ALGORITHMS.join(', ')}`,
        }),
      )
      .min(1),
  );

const publicKeyPem = z
  .string()
  .transform((raw) => raw.replace(/\\n/g, '\n').trim())
  .refine((pem) => /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----$/.test(pem), {
    message: 'must be a PEM public key (-----BEGIN PUBLIC KEY----- …); never a private key',
  });

/** The `iss` and `aud` a token must carry unless `AUTH_JWT_ISSUER` / `AUTH_JWT_AUDIENCE` say otherwise. */
export const DEFAULT_TOKEN_ISSUER = 'saga-platform-dev';
export const DEFAULT_TOKEN_AUDIENCE = 'saga-platform';

/** The `AUTH_*` variables, spread into a service's config schema. */
export const authEnvShape = {
  AUTH_JWT_PUBLIC_KEY: publicKeyPem.optional(),
  // https only: keys fetched in clear could be swapped on the way (plain http for this machine only).
  AUTH_JWKS_URL: z
    .url({ protocol: /^https?$/, error: 'must be an https URL' })
    .refine((url) => /^https:|^http:\/\/(127\.0\.0\.1|\[::1\])[:/]/.test(url), {
      message: 'must be an https URL (http only for 127.0.0.1)',
    })
    .optional(),
  AUTH_JWT_ALGORITHMS: algorithmList.default(['ES256']),
  AUTH_JWT_ISSUER: z.string().min(1).default(DEFAULT_TOKEN_ISSUER),
  AUTH_JWT_AUDIENCE: z.string().min(1).default(DEFAULT_TOKEN_AUDIENCE),
};

type AuthEnv = z.output<z.ZodObject<typeof authEnvShape>>;

/** A public key or a key set, not both. */
export function checkAuthEnv(env: AuthEnv, ctx: z.RefinementCtx): void {
  if (env.AUTH_JWT_PUBLIC_KEY && env.AUTH_JWKS_URL) {
    ctx.addIssue({
      code: 'custom',
      path: ['AUTH_JWKS_URL'],
      message: 'set one of AUTH_JWT_PUBLIC_KEY and AUTH_JWKS_URL, not both',
      input: undefined,
    });
  }
}

/** The token settings of `env`, for a verifier outside a service's config (the tests' guard). */
export function authSettingsFromEnv(env: Record<string, string | undefined>): AuthSettings {
  return parseEnv(z.object(authEnvShape).superRefine(checkAuthEnv).transform(authSettingsOf), env);
}

/** The settings of checked `AUTH_*` variables. */
export function authSettingsOf(env: AuthEnv): AuthSettings {
  return {
    ...(env.AUTH_JWT_PUBLIC_KEY ? { publicKeyPem: env.AUTH_JWT_PUBLIC_KEY } : {}),
    ...(env.AUTH_JWKS_URL ? { jwksUrl: env.AUTH_JWKS_URL } : {}),
    algorithms: env.AUTH_JWT_ALGORITHMS,
    issuer: env.AUTH_JWT_ISSUER,
    audience: env.AUTH_JWT_AUDIENCE,
  };
}
