import type { MailMessage } from './mailer.js';

/** The mails the account flows send. */
export type AccountMailKind = 'verification' | 'password-reset';

/** Per auth collection (or `_admins`): where the mailed links point, when the app has its own pages. */
export interface AccountMailOptions {
  /** Link template for verification mail, e.g. `https://app.example.com/verify?token={{token}}`. */
  verifyEmailUrl?: string;
  /** Link template for password-reset mail. */
  resetPasswordUrl?: string;
}

/** Per realm (auth collection name, or `_admins`). */
export type AccountMailSettings = Readonly<Record<string, AccountMailOptions>>;

/** Variables a link template may use; both are URL-encoded where they are put. */
export const linkVariables = ['token', 'collection'] as const;

const variablePattern = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** Why a link template cannot be used, or undefined when it can: absolute http(s), `{{token}}` in it, known variables only. */
export function linkTemplateIssue(template: string): string | undefined {
  const unknown = [...template.matchAll(variablePattern)].map((m) => m[1]!).find((name) => !(linkVariables as readonly string[]).includes(name));
  if (unknown) return `unknown variable {{${unknown}}}; use {{token}} and {{collection}}`;
  if (!/\{\{\s*token\s*\}\}/.test(template)) return 'must hold {{token}}, or the link proves nothing';
  try {
    const url = new URL(template.replace(variablePattern, 'x'));
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  } catch {
    return 'must be an absolute URL, such as https://app.example.com/verify?token={{token}}';
  }
  return undefined;
}

/**
 * The link a mail carries: the app's template for the realm when it set one, else the page Causeway serves
 * (`/auth/verify-email`, `/auth/reset-password`, see packages/server/src/auth/account-pages.ts).
 */
export function accountLink(kind: AccountMailKind, realm: string, token: string, publicUrl: string, options: AccountMailOptions | undefined): string {
  const template = kind === 'verification' ? options?.verifyEmailUrl : options?.resetPasswordUrl;
  if (template) {
    const values: Record<string, string> = { token, collection: realm };
    return template.replace(variablePattern, (_, name: string) => encodeURIComponent(values[name] ?? ''));
  }
  const page = kind === 'verification' ? 'verify-email' : 'reset-password';
  return `${publicUrl}/auth/${page}?collection=${encodeURIComponent(realm)}&token=${encodeURIComponent(token)}`;
}

/** The mail of `kind` to `to`, with its link and token. */
export function accountMail(kind: AccountMailKind, to: string, link: string, token: string): MailMessage {
  if (kind === 'verification') {
    return { to, subject: 'Confirm your email address', text: `Open this link to confirm your email address:\n\n${link}\n\nVerification token: ${token}` };
  }
  return {
    to,
    subject: 'Reset your password',
    text: `Someone asked to reset the password of this account. If it was you, open this link within 30 minutes:\n\n${link}\n\nReset token: ${token}\n\nIf it was not you, ignore this message.`,
  };
}
