import type { JsonSchema, PathItem } from './openapi-types.js';

type ErrorRefs = (...statuses: number[]) => Record<string, { $ref: string }>;

const text: JsonSchema = { type: 'string' };
const nullableText: JsonSchema = { type: ['string', 'null'] };
const object = (properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', properties, required: Object.keys(properties), additionalProperties: false });
const list = (items: JsonSchema): JsonSchema => ({ type: 'array', items });

const jobRun = object({ job: text, scheduledAt: text, started: text, finished: nullableText, ok: { type: ['boolean', 'null'] }, error: nullableText, instance: text });
const hookError = object({ at: text, kind: text, collection: text, message: text });
const hook: JsonSchema = { type: 'object', properties: { kind: text, collection: text, source: text }, required: ['kind', 'collection'], additionalProperties: false };

const overview = object({
  hooks: list(hook),
  routes: list(object({ method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] }, path: text, auth: { type: 'string', enum: ['anyone', 'signed-in', 'admin'] }, summary: nullableText })),
  jobs: list(object({ name: text, pattern: text, nextRun: nullableText, running: { type: 'boolean' } })),
  runs: list(jobRun),
  errors: object({ hooks: list(hookError), jobs: list(jobRun) }),
});

/** The admin endpoints of the extensions: what is registered, the job history, "run now". */
export function extensionsPaths(errors: ErrorRefs): Record<string, PathItem> {
  const adminOnly = (...statuses: number[]) => errors(401, 403, ...statuses);
  return {
    '/api/extensions': {
      get: {
        operationId: 'getExtensions',
        summary: 'Loaded hooks, custom routes, scheduled jobs and their recent runs and errors (admins only)',
        tags: ['system'],
        responses: { '200': { description: 'What the extensions registered and how their jobs went.', content: { 'application/json': { schema: overview } } }, ...adminOnly() },
      },
    },
    '/api/extensions/jobs/{name}/run': {
      post: {
        operationId: 'runJobNow',
        summary: 'Runs a scheduled job now, outside its schedule, and answers its run once it has finished (admins only)',
        tags: ['system'],
        parameters: [{ name: 'name', in: 'path', required: true, schema: text }],
        responses: { '200': { description: 'The run, finished (`ok` false if the job threw).', content: { 'application/json': { schema: jobRun } } }, ...adminOnly(404, 409) },
      },
    },
  };
}
