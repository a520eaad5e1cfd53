import { z } from 'zod';
import { parseEnv } from '@saga/platform';

/** The notification service's own settings: where and how it sends e-mail. */
export interface MailConfig {
  /** SMTP server host (`SMTP_HOST`, default 127.0.0.1). */
  readonly smtpHost: string;
  /** SMTP server port (`SMTP_PORT`, default 1025: the local sink of the demo and the tests). */
  readonly smtpPort: number;
  /**
   * Implicit TLS from the first byte (`SMTP_SECURE=true`, usually port 465). When false (the default) the
   * mail goes in clear text and STARTTLS is not attempted: the demo's and the tests' sinks offer none.
   */
  readonly smtpSecure: boolean;
  /** The From header (`MAIL_FROM`), e.g. `saga-platform <orders@saga-platform.local>`. */
  readonly mailFrom: string;
  /**
   * Domain of the recipients' addresses (`MAIL_RECIPIENT_DOMAIN`): events carry a customer id, no
   * address, so the mail goes to `<customerId>@<domain>`.
   */
  readonly recipientDomain: string;
}

/** Nest injection token of the {@link MailConfig}. */
export const MAIL_CONFIG = Symbol('MAIL_CONFIG');

const schema = z
  .object({
    SMTP_HOST: z.string().min(1).default('127.0.0.1'),
    SMTP_PORT: z.coerce
      .number({ error: 'must be a number' })
      .int('must be an integer')
      .min(1, 'must be between 1 and 65535')
      .max(65535, 'must be between 1 and 65535')
      .default(1025),
    SMTP_SECURE: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
    MAIL_FROM: z
      .string()
      .regex(
        /^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$/,
        'must be an address, optionally as "Name <address>"',
      )
      .default('saga-platform <orders@saga-platform.local>'),
    MAIL_RECIPIENT_DOMAIN: z
      .string()
      .regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/, 'must be a domain name such as example.com')
      .default('customers.saga-platform.local'),
  })
  .transform((env): MailConfig => ({
    smtpHost: env.SMTP_HOST,
    smtpPort: env.SMTP_PORT,
    smtpSecure: env.SMTP_SECURE === 'true',
    mailFrom: env.MAIL_FROM,
    recipientDomain: env.MAIL_RECIPIENT_DOMAIN,
  }));

/** Reads and validates the mail settings; throws a ConfigError naming each bad variable. */
export function loadMailConfig(env: Record<string, string | undefined>): MailConfig {
  return parseEnv(schema, env);
}
