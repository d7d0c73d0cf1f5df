import { z } from 'zod';
import { CausewayError } from '../errors/causeway-error.js';
import { fromZodError } from '../errors/zod-issues.js';
import type { EventBus } from '../events/event-bus.js';
import { linkTemplateIssue, mailTemplateIssue, type AccountMailSettings } from '../auth/account-mail.js';
import type { SqlDatabase } from '../sql/sql-database.js';
import { sqlTemplate, type SqlTemplate } from '../sql/sql-template.js';

export const settingsTable = '_settings';

/**
 * Settings keys starting with this belong to Causeway itself (deployment id, schema generation, signing keys):
 * admins neither see nor set them, and they stay with their database when data moves to another.
 */
export const internalSettingPrefix = '_';

/** Settings an admin can change while the server runs (the console's settings page). */
export interface RuntimeSettings {
  /** Access token lifetime, in seconds. */
  accessTokenTtl: number;
  /** Refresh token (session) lifetime, in seconds. */
  refreshTokenTtl: number;
  /** Origins allowed by CORS; `*` allows any. */
  allowedOrigins: string[];
  /** Per auth collection (or `_admins`): link templates and mail templates of account mail (docs/auth.md). */
  accountMail: AccountMailSettings;
  /** Every admin must use a second factor: one without is made to set it up at sign-in (docs/auth.md). */
  requireAdminMfa: boolean;
}

const origin = z.string().refine((value) => value === '*' || /^https?:\/\/[^/\s]+$/.test(value), 'must be * or an origin such as https://app.example.com (no path)');

const linkTemplate = z.string().max(2000).superRefine((value, context) => {
  const issue = linkTemplateIssue(value);
  if (issue) context.addIssue({ code: 'custom', message: issue });
});

const templatePart = (part: 'subject' | 'text' | 'html', max: number) =>
  z.string().min(1).max(max).superRefine((value, context) => {
    const issue = mailTemplateIssue(part, value);
    if (issue) context.addIssue({ code: 'custom', message: issue });
  });

const mailTemplate = z.strictObject({ subject: templatePart('subject', 200), text: templatePart('text', 20_000), html: templatePart('html', 100_000).optional() });

/** Keyed by realm: an auth collection's name, or `_admins`. */
const accountMailSettings = z.record(
  z.string().regex(/^(_admins|[A-Za-z][A-Za-z0-9_]{0,62})$/, 'must be an auth collection name or _admins'),
  z.strictObject({
    verifyEmailUrl: linkTemplate.optional(),
    resetPasswordUrl: linkTemplate.optional(),
    verificationMail: mailTemplate.optional(),
    passwordResetMail: mailTemplate.optional(),
  }),
);

const settingsPatch = z.strictObject({
  accessTokenTtl: z.number().int().min(30).max(24 * 3600).optional(),
  refreshTokenTtl: z.number().int().min(60).max(365 * 24 * 3600).optional(),
  allowedOrigins: z.array(origin).min(1).max(100).optional(),
  accountMail: accountMailSettings.refine((value) => Object.keys(value).length <= 100, 'at most 100 realms').optional(),
  requireAdminMfa: z.boolean().optional(),
});

/**
 * Runtime settings: the configuration's values until an admin changes them, then the stored ones. Readers call
 * `current` on each use, so a change applies to the next request without a restart.
 */
export class SettingsService {
  private readonly s: SqlTemplate;
  private settings: RuntimeSettings;

  constructor(
    private readonly db: SqlDatabase,
    private readonly defaults: RuntimeSettings,
    private readonly bus?: EventBus,
  ) {
    this.s = sqlTemplate(db.dialect);
    this.settings = { ...defaults };
    // Another instance stored new settings: read them.
    bus?.onSignal((signal) => {
      if (signal.kind === 'settings') void this.open().catch(() => undefined);
    });
  }

  /** Loads what admins stored over the configured defaults. */
  async open(): Promise<void> {
    const { text, params } = this.s.q`SELECT key, value FROM ${this.s.id(settingsTable)}`;
    const rows = (await this.db.all(text, params)).filter((row) => !String(row.key).startsWith(internalSettingPrefix));
    const stored = Object.fromEntries(rows.map((row) => [String(row.key), JSON.parse(String(row.value)) as unknown]));
    const parsed = settingsPatch.safeParse(stored);
    this.settings = { ...this.defaults, ...(parsed.success ? parsed.data : {}) } as RuntimeSettings;
  }

  get current(): Readonly<RuntimeSettings> {
    return this.settings;
  }

  async update(patch: unknown): Promise<RuntimeSettings> {
    const parsed = settingsPatch.safeParse(patch);
    if (!parsed.success) throw fromZodError('VALIDATION_FAILED', 'The settings are invalid.', parsed.error);
    const entries = Object.entries(parsed.data).filter(([, value]) => value !== undefined);
    if (entries.length === 0) throw new CausewayError('VALIDATION_FAILED', 'Nothing to change: send accessTokenTtl, refreshTokenTtl, allowedOrigins, accountMail or requireAdminMfa.');
    await this.db.transaction(async (tx) => {
      for (const [key, value] of entries) {
        const { text, params } = this.s.q`INSERT INTO ${this.s.id(settingsTable)} (key, value) VALUES (${key}, ${JSON.stringify(value)})
          ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
        await tx.run(text, params);
      }
    });
    this.settings = { ...this.settings, ...Object.fromEntries(entries) } as RuntimeSettings;
    await this.bus?.signal({ kind: 'settings' });
    return this.settings;
  }
}
