import nodemailer, { type Transporter } from 'nodemailer';
import type { MailMessage, Mailer } from '@causeway/core';

/** Sends account mail through an SMTP server (nodemailer, pooled connections). */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    const pooled = new URL(url);
    pooled.searchParams.set('pool', 'true');
    this.transport = nodemailer.createTransport(pooled.toString());
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.text, ...(message.html === undefined ? {} : { html: message.html }) });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
