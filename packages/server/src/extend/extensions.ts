import type { Extender, Extension } from './extender.js';
import { JobRegistry, type JobDefinition } from './jobs.js';
import { RouteRegistry, type CustomRoute } from './routes.js';
import type { SchemaShape } from './schema-types.js';

/** What the extensions registered, for the server to serve and schedule. */
export interface RegisteredExtensions {
  routes: readonly CustomRoute[];
  jobs: readonly JobDefinition[];
}

/**
 * Runs every extension against one `Extender`, in order; the first that throws (a bad route path, a bad cron
 * pattern, its own error) stops it all, so the server never starts half-configured.
 */
export async function registerExtensions(extensions: readonly Extension<SchemaShape>[]): Promise<RegisteredExtensions> {
  const routes = new RouteRegistry();
  const jobs = new JobRegistry();
  const extender: Extender<SchemaShape> = {
    route: (method, path, options, handler) => routes.add(method, path, options, handler as CustomRoute['handler']),
    cron: (name, pattern, job) => jobs.add(name, pattern, job),
  };
  for (const extension of extensions) await extension(extender);
  return { routes: routes.list(), jobs: jobs.list() };
}
