import type { FastifyPluginAsync } from 'fastify';
import type { AuthService, JobRuns } from '@causeway/core';
import type { ExtensionsOverview, HookErrorEntry, LoadedHookEntry } from '@causeway/wire';
import { adminOnly } from '../auth/authenticate.js';
import type { JobScheduler } from './job-scheduler.js';
import type { CustomRoute } from './routes.js';

export const extensionsPath = '/api/extensions';

/** A loaded hook as the console lists it. The hooks registry (developer "hooks") fills these. */
export type LoadedHook = LoadedHookEntry;
/** A hook's failure as the console lists it. */
export type HookError = HookErrorEntry;

/**
 * Where the hooks come from. PLACEHOLDER for the lead: wire the hooks branch's registry here (createServer's
 * `extensions.hooks`); until then both lists are empty.
 */
export interface HooksInfo {
  hooks(): readonly LoadedHook[];
  recentErrors(): readonly HookError[];
}

const recentRuns = 50;

/**
 * `GET /api/extensions`: what the extensions registered and how their jobs went; `POST
 * /api/extensions/jobs/:name/run` runs a job now. Admins only.
 */
export const extensionsRoutes: FastifyPluginAsync<{ auth: AuthService; routes: readonly CustomRoute[]; scheduler: JobScheduler; runs: JobRuns; hooks: HooksInfo }> = async (
  app,
  { auth, routes, scheduler, runs, hooks },
) => {
  app.addHook('preHandler', adminOnly(auth));
  app.get(extensionsPath, async (): Promise<ExtensionsOverview> => {
    const recent = await runs.recent(recentRuns);
    return {
      hooks: [...hooks.hooks()],
      routes: routes.map((r) => ({ method: r.method, path: r.path, auth: r.options.auth ?? 'signed-in', summary: r.options.summary ?? null })),
      jobs: scheduler.list(),
      runs: recent,
      errors: { hooks: [...hooks.recentErrors()], jobs: recent.filter((run) => run.ok === false) },
    };
  });
  app.post<{ Params: { name: string } }>(`${extensionsPath}/jobs/:name/run`, async (request) => scheduler.runNow(request.params.name));
};
