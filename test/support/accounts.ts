import { expect } from 'vitest';
import type { Json, TestServer } from './test-server.js';

export interface Account {
  id: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
  /** Headers that send this account's access token. */
  auth: Record<string, string>;
}

export const anonymous = { authorization: '' };

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Signs a new account up to an auth collection (users by default) and returns its tokens. */
export async function signUp(t: TestServer, email: string, extra: Record<string, unknown> = {}, collection = 'users'): Promise<Account> {
  const password = `pw-${email}-long-enough`;
  const response = await t.request('POST', `/api/collections/${collection}/auth/sign-up`, { email, password, ...extra }, anonymous);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  const body: Json = response.body;
  return { id: body.record.id, email, password, token: body.token, refreshToken: body.refreshToken, auth: bearer(body.token) };
}

/** Messages the development mailer wrote to the data directory, oldest first. */
export async function readMail(t: TestServer): Promise<{ to: string; subject: string; text: string }[]> {
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  try {
    const text = await readFile(path.join(t.dataDir, 'mail.jsonl'), 'utf8');
    return text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { to: string; subject: string; text: string });
  } catch {
    return [];
  }
}

/** Waits for a mail to `to` whose subject matches, and returns the token it carries. */
export async function mailedToken(t: TestServer, to: string, subject: RegExp): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const mail = (await readMail(t)).filter((m) => m.to === to && subject.test(m.subject)).at(-1);
    const token = mail && /token: (\S+)/.exec(mail.text)?.[1];
    if (token) return token;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}
