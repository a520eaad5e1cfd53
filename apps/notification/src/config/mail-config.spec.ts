import { ConfigError } from '@saga/platform';
import { loadMailConfig } from './mail-config';

describe('loadMailConfig', () => {
  it('defaults to the local sink, in clear text, from the platform address', () => {
    // Act
    const config = loadMailConfig({});

    // Assert
    expect(config).toEqual({
      smtpHost: '127.0.0.1',
      smtpPort: 1025,
      smtpSecure: false,
      mailFrom: 'saga-platform <orders@saga-platform.local>',
      recipientDomain: 'customers.saga-platform.local',
    });
  });

  it('reads every variable', () => {
    // Act
    const config = loadMailConfig({
      SMTP_HOST: 'smtp.example.com',
      SMTP_PORT: '465',
      SMTP_SECURE: 'true',
      MAIL_FROM: 'orders@example.com',
      MAIL_RECIPIENT_DOMAIN: 'example.com',
    });

    // Assert
    expect(config).toEqual({
      smtpHost: 'smtp.example.com',
      smtpPort: 465,
      smtpSecure: true,
      mailFrom: 'orders@example.com',
      recipientDomain: 'example.com',
    });
  });

  it('fails naming each bad variable', () => {
    // Act
    const load = () =>
      loadMailConfig({
        SMTP_PORT: 'twenty-five',
        SMTP_SECURE: 'yes',
        MAIL_FROM: 'nobody',
        MAIL_RECIPIENT_DOMAIN: 'a b',
      });

    // Assert
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/SMTP_PORT[\s\S]*SMTP_SECURE[\s\S]*MAIL_FROM[\s\S]*MAIL_RECIPIENT_DOMAIN/);
  });
});
