/** One message: plain text, and an HTML alternative when the template has one. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Where account mail goes: SMTP in production, a file in development and tests. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close?(): Promise<void>;
}
