import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

function transportTo(sink: SmtpSink) {
  return createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });
}

describe('startSmtpSink', () => {
  let sink: SmtpSink;
  let saveDir: string;

  beforeAll(async () => {
    saveDir = await mkdtemp(join(tmpdir(), 'smtp-sink-'));
    sink = await startSmtpSink({ saveDir });
  });

  afterAll(async () => {
    await sink.close();
    await rm(saveDir, { recursive: true, force: true });
  });

  it('captures a mail with its envelope, unfolded lower-case headers and decoded text', async () => {
    // Arrange
    const longLine = `Prix: ${'très cher '.repeat(12)}€`;

    // Act
    await transportTo(sink).sendMail({
      from: 'shop <orders@shop.test>',
      to: ['alice@customers.test', 'bob@customers.test'],
      subject: 'Commande confirmée – merci',
      text: `Bonjour,\n${longLine}\n`,
      messageId: '<order-1.order_confirmed@saga-platform>',
      headers: { 'X-Saga-Order-Id': 'order-1', 'X-Long': 'a '.repeat(60).trim() },
    });
    const mail = await sink.waitForMail(
      (m) => m.messageId === '<order-1.order_confirmed@saga-platform>',
      5000,
    );

    // Assert
    expect(mail).toMatchObject({
      from: 'orders@shop.test',
      to: ['alice@customers.test', 'bob@customers.test'],
      subject: 'Commande confirmée – merci',
      text: `Bonjour,\n${longLine}\n`,
    });
    expect(mail.headers['x-saga-order-id']).toBe('order-1');
    expect(mail.headers['x-long']).toBe('a '.repeat(60).trim());
    expect(mail.headers.from).toBe('shop <orders@shop.test>');
    expect(mail.raw).toContain('Message-ID: <order-1.order_confirmed@saga-platform>');
    expect(mail.receivedAt).toBeInstanceOf(Date);
  });

  it('writes each mail to saveDir, named after its order id', async () => {
    // Act
    await transportTo(sink).sendMail({
      from: 'orders@shop.test',
      to: 'carol@customers.test',
      subject: 'saved',
      text: 'kept on disk',
      headers: { 'X-Saga-Order-Id': 'order-2' },
    });
    await sink.waitForMail((m) => m.subject === 'saved', 5000);

    // Assert
    const files = await readdir(saveDir);
    const saved = files.find((file) => file.endsWith('-order-2.eml'));
    expect(saved).toBeDefined();
    await expect(readFile(join(saveDir, saved!), 'utf8')).resolves.toContain('kept on disk');
  });

  it('waitForMail: on timeout, lists what was received', async () => {
    // Act
    const waiting = sink.waitForMail((m) => m.subject === 'never sent', 200);

    // Assert
    await expect(waiting).rejects.toThrow(
      /No matching mail within 200 ms; received \d+:[\s\S]*order_confirmed/,
    );
  });

  it('survives a client that resets its connection mid-session (a killed service) and takes the next mail', async () => {
    // Arrange: a client that greets, then vanishes with a TCP reset
    const greeted = new Promise<void>((resolve) => {
      const socket = connect(sink.port, '127.0.0.1');
      socket.once('data', () => {
        socket.write('EHLO dying.test\r\nMAIL FROM:<a@b.test>\r\n');
        socket.once('data', () => {
          socket.resetAndDestroy();
          resolve();
        });
      });
    });
    await greeted;

    // Act
    await transportTo(sink).sendMail({
      from: 'a@b.test',
      to: 'c@d.test',
      subject: 'after the reset',
      text: 'still here',
    });

    // Assert
    expect(sink.mails.some((mail) => mail.subject === 'after the reset')).toBe(true);
  });
});
