import type { FastifyPluginAsync } from 'fastify';
import { CausewayError, defaultMailTemplates, linkVariables, mailVariables, type AccountMailKind, type AuthService, type SettingsService } from '@causeway/core';
import { adminOnly } from '../auth/authenticate.js';
import type { CredentialGuard } from '../auth/credential-guard.js';

const mailKinds: readonly AccountMailKind[] = ['verification', 'password-reset'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `/api/settings`: token lifetimes, allowed origins and account mail (links and templates), changed while the
 * server runs; the default mail templates; a test mail (admins only).
 */
export const settingsRoutes: FastifyPluginAsync<{ settings: SettingsService; auth: AuthService; guard: CredentialGuard }> = async (app, { settings, auth, guard }) => {
  app.addHook('preHandler', adminOnly(auth));
  app.get('/api/settings', async () => settings.current);
  app.patch<{ Body: unknown }>('/api/settings', async (request) => settings.update(request.body));

  app.get('/api/settings/account-mail/defaults', async () => ({ ...defaultMailTemplates, mailVariables, linkVariables }));

  // The mail as it would go out now, with a token that opens nothing. Limited like every mail to an address.
  app.post<{ Body: unknown }>('/api/settings/account-mail/test', async (request) => {
    const body = isObject(request.body) ? request.body : {};
    const { collection, kind, to } = body;
    const fields: Record<string, { code: string; message: string }> = {};
    if (typeof collection !== 'string' || collection === '') fields.collection = { code: 'required', message: 'is required: an auth collection or _admins' };
    if (!mailKinds.includes(kind as AccountMailKind)) fields.kind = { code: 'invalid', message: `must be one of ${mailKinds.join(', ')}` };
    if (Object.keys(fields).length > 0) throw new CausewayError('VALIDATION_FAILED', 'The test mail is incomplete.', { fields });
    await guard.mail({ realm: collection as string, email: typeof to === 'string' ? to.trim().toLowerCase() : '', address: request.ip });
    try {
      await auth.sendTestMail(collection as string, kind as AccountMailKind, to);
    } catch (error) {
      if (error instanceof CausewayError) throw error;
      // The mail server's refusal is the answer the admin asked for, not a failure of this request.
      return { sent: false, reason: error instanceof Error ? error.message : String(error) };
    }
    return { sent: true };
  });
};
