import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A mail the test SMTP server accepted. */
export interface ReceivedMail {
  to: string[];
  subject: string;
  messageId: string;
  raw: string;
}

/**
 * A real SMTP server in the test process (the `smtp-server` package), on a loopback port, that
 * records what it accepts; `refusing` makes it answer 451 (try again later) to every message.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  refusing = false;
  refusals = 0;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(): Promise<TestSmtpServer> {
    let self: TestSmtpServer | undefined;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (self!.refusing) {
            self!.refusals++;
            const error = Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 });
            return callback(error);
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          self!.received.push({
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            subject: /^Subject: (.*)$/im.exec(raw)?.[1]?.trim() ?? '',
            messageId: /^Message-ID: (.*)$/im.exec(raw)?.[1]?.trim() ?? '',
            raw,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = (server as unknown as { server: Server }).server.address() as AddressInfo;
    self = new TestSmtpServer(server, port);
    return self;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to.includes(address));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface ReceivedSms {
  to: string;
  from: string;
  body: string;
  accountSid: string;
  authorized: boolean;
}

/** Stands in for a Twilio-compatible SMS API (the one outside service that cannot run here). */
export class TestSmsProvider {
  readonly received: ReceivedSms[] = [];
  /** The status answered to every message; 201 accepts it. */
  status = 201;

  private constructor(
    private readonly server: Server,
    readonly accountSid: string,
    readonly authToken: string,
  ) {}

  static async start(accountSid = 'AC-test', authToken = 'test-token'): Promise<TestSmsProvider> {
    let self: TestSmsProvider | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const match = /^\/Accounts\/([^/]+)\/Messages\.json$/.exec(request.url ?? '');
        if (request.method !== 'POST' || !match) {
          response.writeHead(404).end();
          return;
        }
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const expected = `Basic ${Buffer.from(`${self!.accountSid}:${self!.authToken}`).toString('base64')}`;
        if (self!.status === 201) {
          self!.received.push({
            to: form.get('To') ?? '',
            from: form.get('From') ?? '',
            body: form.get('Body') ?? '',
            accountSid: decodeURIComponent(match[1]),
            authorized: request.headers.authorization === expected,
          });
        }
        response.writeHead(self!.status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ sid: 'SM1' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new TestSmsProvider(server, accountSid, authToken);
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The server's SMS_* settings for this stand-in. */
  env(from = '+15550000000'): Record<string, string> {
    return { SMS_PROVIDER_URL: this.url, SMS_ACCOUNT_SID: this.accountSid, SMS_AUTH_TOKEN: this.authToken, SMS_FROM: from };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
