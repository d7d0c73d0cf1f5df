import type { MailMessage } from './mailer.js';

/** The mails the account flows send. */
export type AccountMailKind = 'verification' | 'password-reset';

/** Per auth collection (or `_admins`): where the mailed links point, when the app has its own pages. */
export interface AccountMailOptions {
  /** Link template for verification mail, e.g. `https://app.example.com/verify?token={{token}}`. */
  verifyEmailUrl?: string;
  /** Link template for password-reset mail. */
  resetPasswordUrl?: string;
  /** The verification mail, when an admin wrote its own. */
  verificationMail?: MailTemplate;
  /** The password-reset mail, when an admin wrote its own. */
  passwordResetMail?: MailTemplate;
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

/** A mail an admin wrote: `{{variable}}`s are filled in (HTML-escaped in `html`). */
export interface MailTemplate {
  subject: string;
  text: string;
  html?: string;
}

/** Variables a mail template may use. */
export const mailVariables = ['link', 'token', 'email', 'collection', 'appUrl'] as const;
export type MailVariable = (typeof mailVariables)[number];

const templateKey: Record<AccountMailKind, 'verificationMail' | 'passwordResetMail'> = { verification: 'verificationMail', 'password-reset': 'passwordResetMail' };

/** The mails Causeway sends when no admin wrote its own. */
export const defaultMailTemplates: Readonly<Record<'verificationMail' | 'passwordResetMail', MailTemplate>> = {
  verificationMail: {
    subject: 'Confirm your email address',
    text: 'Open this link to confirm your email address:\n\n{{link}}\n\nVerification token: {{token}}',
    html: '<p>Open this link to confirm your email address:</p>\n<p><a href="{{link}}">Confirm my email address</a></p>\n<p>Verification token: <code>{{token}}</code></p>',
  },
  passwordResetMail: {
    subject: 'Reset your password',
    text: 'Someone asked to reset the password of this account. If it was you, open this link within 30 minutes:\n\n{{link}}\n\nReset token: {{token}}\n\nIf it was not you, ignore this message.',
    html: '<p>Someone asked to reset the password of this account. If it was you, open this link within 30 minutes:</p>\n<p><a href="{{link}}">Choose a new password</a></p>\n<p>Reset token: <code>{{token}}</code></p>\n<p>If it was not you, ignore this message.</p>',
  },
};

/** Why a template part cannot be used (unknown variables; no way to act on the mail), or undefined. */
export function mailTemplateIssue(part: 'subject' | 'text' | 'html', template: string): string | undefined {
  const unknown = [...template.matchAll(variablePattern)].map((m) => m[1]!).find((name) => !(mailVariables as readonly string[]).includes(name));
  if (unknown) return `unknown variable {{${unknown}}}; use ${mailVariables.map((v) => `{{${v}}}`).join(', ')}`;
  if (part === 'subject' && /[\r\n]/.test(template)) return 'must be one line';
  if (part !== 'subject' && !/\{\{\s*(link|token)\s*\}\}/.test(template)) return 'must hold {{link}} or {{token}}, or the mail cannot be acted on';
  return undefined;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function fill(template: string, values: Readonly<Record<MailVariable, string>>, escape: (text: string) => string = (text) => text): string {
  return template.replace(variablePattern, (_, name: string) => escape((values as Record<string, string>)[name] ?? ''));
}

/** The mail of `kind` to `to`: the realm's template if an admin wrote one, else the default. */
export function accountMail(kind: AccountMailKind, values: Readonly<Record<MailVariable, string>>, options: AccountMailOptions | undefined): MailMessage {
  const template = options?.[templateKey[kind]] ?? defaultMailTemplates[templateKey[kind]];
  return {
    to: values.email,
    subject: fill(template.subject, values),
    text: fill(template.text, values),
    ...(template.html === undefined ? {} : { html: fill(template.html, values, escapeHtml) }),
  };
}
