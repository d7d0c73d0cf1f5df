import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { MailMessage, Mailer } from '@causeway/core';

export function mailFilePath(dataDir: string): string {
  return path.join(dataDir, 'mail.jsonl');
}

/** Development mailer: appends each message as one JSON line to `mail.jsonl` in the data directory. */
export class FileMailer implements Mailer {
  constructor(private readonly file: string) {}

  async send(message: MailMessage): Promise<void> {
    await appendFile(this.file, `${JSON.stringify({ ...message, at: new Date().toISOString() })}\n`, { mode: 0o600 });
  }
}
