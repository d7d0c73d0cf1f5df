import type { FastifyPluginAsync } from 'fastify';
import type { AuthService, SettingsService } from '@causeway/core';
import { adminOnly } from '../auth/authenticate.js';

/** `/api/settings`: token lifetimes and allowed origins, changed while the server runs (admins only). */
export const settingsRoutes: FastifyPluginAsync<{ settings: SettingsService; auth: AuthService }> = async (app, { settings, auth }) => {
  app.addHook('preHandler', adminOnly(auth));
  app.get('/api/settings', async () => settings.current);
  app.patch<{ Body: unknown }>('/api/settings', async (request) => settings.update(request.body));
};
