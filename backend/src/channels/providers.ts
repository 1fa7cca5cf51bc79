import { Logger } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
import type { AppConfig } from '../config/app-config';

/** What a provider did with a message: handed it on, or kept it (no provider configured). */
export type ProviderOutcome = 'sent' | 'outbox';

export interface OutgoingMail {
  /** The delivery's id: the Message-ID, so a receiving system can drop a repeat after a crash. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
}

export interface OutgoingSms {
  id: string;
  to: string;
  body: string;
}

export interface EmailProvider {
  send(mail: OutgoingMail): Promise<ProviderOutcome>;
  close(): void;
}

export interface SmsProvider {
  send(sms: OutgoingSms): Promise<ProviderOutcome>;
}

/** Mail over SMTP (nodemailer). A refusal or a connection failure throws: the queue retries. */
export class SmtpEmailProvider implements EmailProvider {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    // Bounded waits: a hung server must not hold a job (and its connection) for minutes.
    this.transport = nodemailer.createTransport(smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  }

  async send(mail: OutgoingMail): Promise<ProviderOutcome> {
    const domain = this.from.match(/@([^>\s]+)/)?.[1] ?? 'clinic.invalid';
    await this.transport.sendMail({
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      ...(mail.html ? { html: mail.html } : {}),
      messageId: `<${mail.id}@${domain}>`,
    });
    return 'sent';
  }

  close(): void {
    this.transport.close();
  }
}

/** Without SMTP_URL (`npm start`): the mail stays in the deliveries outbox and is logged, not lost. */
export class OutboxEmailProvider implements EmailProvider {
  private readonly logger = new Logger('Outbox');

  send(mail: OutgoingMail): Promise<ProviderOutcome> {
    // Only the id: the address and the text stay in the outbox (GET /api/deliveries), not in the logs.
    this.logger.log({ msg: 'mail kept in the outbox (no SMTP_URL)', deliveryId: mail.id });
    return Promise.resolve('outbox');
  }

  close(): void {}
}

/**
 * A Twilio-compatible Messages API: POST {url}/Accounts/{sid}/Messages.json, form-encoded To, From,
 * Body, HTTP Basic with the account SID and auth token. A non-2xx answer throws: the queue retries.
 */
export class HttpSmsProvider implements SmsProvider {
  constructor(private readonly settings: NonNullable<AppConfig['sms']>) {}

  async send(sms: OutgoingSms): Promise<ProviderOutcome> {
    const { url, accountSid, authToken, from } = this.settings;
    const response = await fetch(`${url}/Accounts/${encodeURIComponent(accountSid)}/Messages.json`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        // Twilio's own idempotency header: a retry after a lost answer is not sent twice.
        'I-Twilio-Idempotency-Token': sms.id,
      },
      body: new URLSearchParams({ To: sms.to, From: from, Body: sms.body }),
      signal: AbortSignal.timeout(15_000),
    });
    if (!response.ok) throw new Error(`SMS provider answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
    return 'sent';
  }
}

/** The default without SMS_PROVIDER_URL: the SMS is logged and kept in the outbox. */
export class LoggingSmsProvider implements SmsProvider {
  private readonly logger = new Logger('Outbox');

  send(sms: OutgoingSms): Promise<ProviderOutcome> {
    this.logger.log({ msg: 'SMS kept in the outbox (no SMS_PROVIDER_URL)', deliveryId: sms.id });
    return Promise.resolve('outbox');
  }
}
