import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { WaitTimeoutError, waitFor } from '@saga/common';

/** One e-mail an {@link SmtpSink} received. */
export interface CapturedMail {
  /** The Message-ID header, angle brackets included (`<…@…>`); empty if the mail had none. */
  readonly messageId: string;
  /** The envelope sender (SMTP `MAIL FROM`); the From header is in `headers.from`. */
  readonly from: string;
  /** The envelope recipients (SMTP `RCPT TO`). */
  readonly to: string[];
  /** The Subject header, MIME encoded-words decoded. */
  readonly subject: string;
  /** Every header, names in lower case, folded lines unfolded, encoded-words decoded; repeats joined by ", ". */
  readonly headers: Record<string, string>;
  /**
   * The plain-text body, decoded from quoted-printable or base64 (the first text/plain part if multipart),
   * with `\n` line ends.
   */
  readonly text: string;
  /** The message exactly as received. */
  readonly raw: string;
  readonly receivedAt: Date;
}

/** A local SMTP server that accepts every mail and keeps it in memory. */
export interface SmtpSink {
  /** The port it listens on (the OS's pick when started with port 0). */
  readonly port: number;
  /** Every mail received so far, in arrival order. */
  readonly mails: CapturedMail[];
  /** Resolves with the first mail (received or to come) that matches; on timeout lists what did arrive. */
  waitForMail(predicate: (mail: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  /** Stops listening; resolves once open connections have ended. */
  close(): Promise<void>;
}

/** Options of {@link startSmtpSink}. */
export interface SmtpSinkOptions {
  /** 0 (the default) lets the OS pick a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Also writes each mail to `<saveDir>/<receivedAt>-<order id or sequence number>.eml` (the demo). */
  readonly saveDir?: string;
  /** Recipients the sink refuses for good (`550 no such mailbox`), to test permanent failures. */
  readonly rejectRecipient?: (address: string) => boolean;
  /**
   * Called with each mail once it is received (and saved), before the server answers 250 (a returned
   * promise delays the answer); the demo prints a line per mail.
   */
  readonly onMail?: (mail: CapturedMail) => void | Promise<void>;
}

/**
 * Starts an SMTP sink for tests and the demo: plain SMTP, no TLS (STARTTLS disabled), authentication
 * optional, no size limit. Every mail is accepted and parsed just enough to assert on.
 */
export async function startSmtpSink({
  port = 0,
  host = '127.0.0.1',
  saveDir,
  onMail,
  rejectRecipient,
}: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const mails: CapturedMail[] = [];
  if (saveDir) await mkdir(saveDir, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 1000,
    onRcptTo(address, _session, callback) {
      if (!rejectRecipient?.(address.address)) return callback();
      callback(Object.assign(new Error(`no such mailbox: ${address.address}`), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const mail = parseMail(
          Buffer.concat(chunks).toString('utf8'),
          session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          session.envelope.rcptTo.map((rcpt: SMTPServerAddress) => rcpt.address),
        );
        mails.push(mail);
        // The 250 goes out once onMail is done: a test can act between receipt and acceptance.
        const received = () => {
          Promise.resolve(onMail?.(mail)).then(() => callback(), callback);
        };
        if (!saveDir) return received();
        const stamp = mail.receivedAt.toISOString().replace(/[:.]/g, '-');
        const name = `${stamp}-${mail.headers['x-saga-order-id'] ?? mails.length}.eml`;
        writeFile(join(saveDir, name), mail.raw).then(received, callback);
      });
    },
  });
  // A client that vanishes mid-session (a killed service: the chaos run does that) is an 'error' on the
  // server; unhandled, it would end the process. The mail it was sending was never accepted.
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    waitForMail: async (predicate, timeoutMs = 30_000) => {
      try {
        return await waitFor(() => mails.find(predicate), { timeoutMs, what: 'a matching mail' });
      } catch (error) {
        if (!(error instanceof WaitTimeoutError)) throw error;
        const seen = mails.map((mail) => `  - ${mail.messageId} to ${mail.to.join(', ')}: ${mail.subject}`);
        throw new Error(
          `No matching mail within ${timeoutMs} ms; received ${mails.length}:\n${seen.join('\n') || '  (none)'}`,
        );
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parseMail(raw: string, from: string, to: string[]): CapturedMail {
  const { headers, text } = parsePart(raw);
  return {
    messageId: headers['message-id'] ?? '',
    from,
    to,
    subject: headers.subject ?? '',
    headers,
    text: text.replace(/\r\n/g, '\n'),
    raw,
    receivedAt: new Date(),
  };
}

/** Splits a MIME entity into its headers and its decoded text (recursing into multipart). */
function parsePart(raw: string): { headers: Record<string, string>; text: string } {
  const split = /\r?\n\r?\n/.exec(raw);
  const head = split ? raw.slice(0, split.index) : raw;
  const body = split ? raw.slice(split.index + split[0].length) : '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = decodeWords(line.slice(colon + 1).trim());
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const parts = body
      .split(`--${boundary}`)
      .slice(1, -1)
      .map((part) => parsePart(part.replace(/^\r?\n/, '')));
    const plain = parts.find((part) => /^text\/plain/i.test(part.headers['content-type'] ?? 'text/plain'));
    return { headers, text: plain?.text ?? '' };
  }
  return { headers, text: decodeBody(body, headers['content-transfer-encoding']) };
}

function decodeBody(body: string, encoding = '7bit'): string {
  switch (encoding.toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body.replace(/=\r?\n/g, ''));
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

/** `=XX` escapes to bytes, read as UTF-8 (nodemailer's charset). */
function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '=' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded-words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`); blanks between two of them vanish. */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_word, _charset, kind: string, text: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}
