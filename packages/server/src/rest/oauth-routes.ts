import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { CausewayError, type AuthService, type OAuthService } from '@causeway/core';
import { adminOnly } from '../auth/authenticate.js';
import type { CredentialGuard } from '../auth/credential-guard.js';
import { authCollectionOf } from './auth-routes.js';

type ProviderParams = { collection: string; provider: string };

function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new CausewayError('BAD_REQUEST', 'The body must be a JSON object.');
  return body as Record<string, unknown>;
}

const wrongCode = (error: unknown) => error instanceof CausewayError && error.code === 'INVALID_CREDENTIALS';

/**
 * Sign-in with a provider, for apps (`/api/collections/:collection/auth/oauth/*`): the enabled providers, start,
 * finish, the second-factor step, and the signed-in account's identities. Start and finish count against the
 * address's budget of credential checks; a second-factor code is a credential check of its account.
 */
export const oauthRoutes: FastifyPluginAsync<{ oauth: OAuthService; guard: CredentialGuard }> = async (app, { oauth, guard }) => {
  const prefix = '/api/collections/:collection/auth/oauth';
  app.get(`${prefix}/providers`, async (request) => oauth.publicProviders(authCollectionOf(request)));
  app.post<{ Params: ProviderParams }>(`${prefix}/:provider/start`, async (request) => {
    const realm = authCollectionOf(request);
    await guard.address(request.ip, 'credentials');
    return oauth.start(realm, request.params.provider, bodyOf(request));
  });
  app.post<{ Params: ProviderParams }>(`${prefix}/:provider/finish`, async (request) => {
    const realm = authCollectionOf(request);
    await guard.address(request.ip, 'credentials');
    return oauth.finish(request.caller, realm, request.params.provider, bodyOf(request));
  });
  app.post(`${prefix}/mfa`, async (request) => {
    const realm = authCollectionOf(request);
    const { ticket, code } = bodyOf(request);
    await guard.address(request.ip, 'credentials');
    const { email } = await oauth.ticketAccount(realm, ticket);
    return guard.password({ realm, email, address: request.ip }, () => oauth.finishWithCode(realm, ticket, code), wrongCode);
  });
  app.get(`${prefix}/identities`, async (request) => oauth.identitiesOf(request.caller, authCollectionOf(request)));
  app.delete<{ Params: { collection: string; id: string } }>(`${prefix}/identities/:id`, async (request, reply) => {
    await oauth.unlink(request.caller, authCollectionOf(request), request.params.id);
    return reply.code(204).send();
  });
};

/** Admins configure each auth collection's providers (`/api/collections/:collection/oauth-providers`); secrets are write-only. */
export const oauthProviderRoutes: FastifyPluginAsync<{ oauth: OAuthService; auth: AuthService }> = async (app, { oauth, auth }) => {
  app.addHook('preHandler', adminOnly(auth));
  const prefix = '/api/collections/:collection/oauth-providers';
  app.get(prefix, async (request) => oauth.listProviders(authCollectionOf(request)));
  app.put<{ Params: ProviderParams }>(`${prefix}/:provider`, async (request) => oauth.putProvider(authCollectionOf(request), request.params.provider, request.body));
  app.delete<{ Params: ProviderParams }>(`${prefix}/:provider`, async (request, reply) => {
    await oauth.deleteProvider(authCollectionOf(request), request.params.provider);
    return reply.code(204).send();
  });
};
