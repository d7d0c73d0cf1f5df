import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { accountPage, type AccountPageKind } from './account-page.js';
import { accountPageScript, accountPageStyle } from './account-page-assets.js';
import { pageLanguage } from './account-page-strings.js';

/**
 * Only this origin's files; the script may call this origin's API; no frames, no plugins, no form posts
 * elsewhere. The token is in the URL, so no referrer leaves the page and nothing is cached.
 */
const pageCsp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

type PageQuery = { collection?: unknown; token?: unknown; lang?: unknown };

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

function sendPage(reply: FastifyReply, kind: AccountPageKind, query: PageQuery, acceptLanguage: string | undefined): FastifyReply {
  const language = pageLanguage(text(query.lang), acceptLanguage);
  return reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', pageCsp)
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .header('content-language', language)
    .header('vary', 'accept-language')
    .send(accountPage(kind, language, text(query.collection), text(query.token)));
}

/**
 * `GET /auth/verify-email` and `GET /auth/reset-password`: the pages the account mails link to (unless an admin
 * pointed them at the app's own pages, see docs/auth.md). They call the public auth API, rate limits included.
 */
export const accountPages: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: PageQuery }>('/auth/verify-email', async (request, reply) => sendPage(reply, 'verify', request.query, request.headers['accept-language']));
  app.get<{ Querystring: PageQuery }>('/auth/reset-password', async (request, reply) => sendPage(reply, 'reset', request.query, request.headers['accept-language']));
  app.get('/auth/assets/account-page.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(accountPageStyle));
  app.get('/auth/assets/account-page.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(accountPageScript));
};
