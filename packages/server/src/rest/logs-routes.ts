import type { FastifyPluginAsync } from 'fastify';
import { CausewayError, type AuthService } from '@causeway/core';
import { adminOnly } from '../auth/authenticate.js';
import type { RequestLog, RecordedRequest } from '../logging/request-log.js';

export const logsPath = '/api/logs';

type Query = Record<string, string | string[] | undefined>;

/** Which answers `status=` keeps: any error, client errors, server errors. */
const statusFilters: Record<string, (entry: RecordedRequest) => boolean> = {
  error: (entry) => entry.status >= 400,
  '4xx': (entry) => entry.status >= 400 && entry.status < 500,
  '5xx': (entry) => entry.status >= 500,
};

function parseLogsQuery(query: Query, capacity: number): { limit: number; keep?: (entry: RecordedRequest) => boolean } {
  const unknown = Object.keys(query).find((key) => key !== 'limit' && key !== 'status');
  if (unknown !== undefined) throw new CausewayError('INVALID_QUERY', `unknown query parameter '${unknown}'; allowed: limit, status`);
  const { limit = '100', status } = query;
  if (Array.isArray(limit) || Array.isArray(status)) throw new CausewayError('INVALID_QUERY', 'limit and status may be given once each');
  if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000) throw new CausewayError('INVALID_QUERY', `limit must be a whole number from 1 to 1000, not '${limit}'`);
  const keep = status === undefined ? undefined : statusFilters[status];
  if (status !== undefined && keep === undefined) throw new CausewayError('INVALID_QUERY', `status must be one of ${Object.keys(statusFilters).join(', ')}, not '${status}'`);
  return { limit: Math.min(Number(limit), Math.max(capacity, 1)), ...(keep ? { keep } : {}) };
}

/** `GET /api/logs`: the most recent requests this instance answered, newest first (admins only). */
export const logsRoutes: FastifyPluginAsync<{ log: RequestLog; auth: AuthService }> = async (app, { log, auth }) => {
  app.addHook('preHandler', adminOnly(auth));
  app.get<{ Querystring: Query }>(logsPath, async (request) => {
    const { limit, keep } = parseLogsQuery(request.query, log.capacity);
    return { items: log.recent(limit, keep), capacity: log.capacity };
  });
};
