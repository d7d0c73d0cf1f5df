import type { FastifyPluginAsync } from 'fastify';
import { adminsRealm, CausewayError, type AuthService } from '@causeway/core';
import { adminOnly } from '../auth/authenticate.js';
import { authCollectionOf } from './auth-routes.js';

type AccountParams = { collection: string; id: string };

function bodyOf(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new CausewayError('BAD_REQUEST', 'The body must be a JSON object.');
  return body as Record<string, unknown>;
}

/**
 * What only admins do to accounts: manage admins (list, create, delete, reset a password) and sign out every
 * session of a user or an admin.
 */
export const adminRoutes: FastifyPluginAsync<{ auth: AuthService }> = async (app, { auth }) => {
  app.addHook('preHandler', adminOnly(auth));

  app.get('/api/admins', async () => ({ items: await auth.listAdmins() }));
  app.post('/api/admins', async (request, reply) => {
    const { email, password } = bodyOf(request.body);
    return reply.code(201).send(await auth.createAdmin(email, password));
  });
  app.delete<{ Params: { id: string } }>('/api/admins/:id', async (request, reply) => {
    await auth.deleteAdmin(request.params.id);
    return reply.code(204).send();
  });
  app.post<{ Params: { id: string } }>('/api/admins/:id/password', async (request, reply) => {
    await auth.resetAdminPassword(request.params.id, bodyOf(request.body).password);
    return reply.code(204).send();
  });

  app.post<{ Params: AccountParams }>('/api/collections/:collection/auth/accounts/:id/sign-out', async (request, reply) => {
    await auth.signOutAccount(authCollectionOf(request), request.params.id);
    return reply.code(204).send();
  });
  app.post<{ Params: { id: string } }>('/api/admins/:id/sign-out', async (request, reply) => {
    await auth.signOutAccount(adminsRealm, request.params.id);
    return reply.code(204).send();
  });
};
