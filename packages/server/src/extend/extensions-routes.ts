import type { FastifyPluginAsync } from 'fastify';
import type { AuthService, JobRun, JobRuns } from '@causeway/core';
import { adminOnly } from '../auth/authenticate.js';
import type { JobScheduler, ScheduledJob } from './job-scheduler.js';
import type { CustomRoute, CustomRouteMethod, RouteAuth } from './routes.js';

export const extensionsPath = '/api/extensions';

/** A loaded hook as the console lists it. The hooks registry (developer "hooks") fills these. */
export interface LoadedHook {
  /** `beforeCreate`, `afterCommit`, `beforeSignUp`, … */
  kind: string;
  /** The collection, or `*` for all. */
  collection: string;
  /** The file it came from, when loaded from a hooks directory. */
  source?: string;
}

/** A hook's failure as the console lists it. */
export interface HookError {
  at: string;
  kind: string;
  collection: string;
  message: string;
}

/**
 * Where the hooks come from. PLACEHOLDER for the lead: wire the hooks branch's registry here (createServer's
 * `extensions.hooks`); until then both lists are empty.
 */
export interface HooksInfo {
  hooks(): readonly LoadedHook[];
  recentErrors(): readonly HookError[];
}

export const noHooks: HooksInfo = { hooks: () => [], recentErrors: () => [] };

export interface ExtensionsOverview {
  hooks: readonly LoadedHook[];
  routes: { method: CustomRouteMethod; path: string; auth: RouteAuth; summary: string | null }[];
  jobs: ScheduledJob[];
  /** The newest runs of every job (all instances: the history is in the database), newest first. */
  runs: JobRun[];
  /** The newest failures: job runs that threw, and hooks that did. */
  errors: { hooks: readonly HookError[]; jobs: JobRun[] };
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
      hooks: hooks.hooks(),
      routes: routes.map((r) => ({ method: r.method, path: r.path, auth: r.options.auth ?? 'signed-in', summary: r.options.summary ?? null })),
      jobs: scheduler.list(),
      runs: recent,
      errors: { hooks: hooks.recentErrors(), jobs: recent.filter((run) => run.ok === false) },
    };
  });
  app.post<{ Params: { name: string } }>(`${extensionsPath}/jobs/:name/run`, async (request) => scheduler.runNow(request.params.name));
};
