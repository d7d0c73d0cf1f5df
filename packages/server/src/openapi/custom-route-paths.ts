import { z } from 'zod';
import { customRoutePrefix, type CustomRoute } from '../extend/routes.js';
import type { JsonSchema, Operation, Parameter, PathItem } from './openapi-types.js';

type ErrorRefs = (...statuses: number[]) => Record<string, { $ref: string }>;

/** zod's own JSON Schema (draft 2020-12, what OpenAPI 3.1 uses), as a request reads it: before defaults apply. */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest as JsonSchema;
}

/** One parameter per property of an object schema (query string or path). */
function parametersOf(schema: z.ZodType | undefined, where: 'query' | 'path'): Parameter[] {
  if (!schema) return [];
  const object = jsonSchema(schema);
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({ name, in: where, required: where === 'path' || required.has(name), schema: property }));
}

/** Path parameters the path names but no `params` schema describes: plain strings. */
function undescribedPathParameters(route: CustomRoute, described: readonly Parameter[]): Parameter[] {
  const names = [...route.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
  return names.filter((name) => !described.some((p) => p.name === name)).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
}

/** `custom_post_webhooks_payments`; a second route that would read the same (`a-b`, `a_b`) gets `_2`, … */
function operationIds(routes: readonly CustomRoute[]): string[] {
  const seen = new Map<string, number>();
  return routes.map((route) => {
    const words = route.path.slice(customRoutePrefix.length).split(/[^A-Za-z0-9]+/).filter(Boolean);
    const id = `custom_${route.method.toLowerCase()}_${words.join('_')}`;
    const count = (seen.get(id) ?? 0) + 1;
    seen.set(id, count);
    return count === 1 ? id : `${id}_${count}`;
  });
}

/**
 * The extensions' custom routes in the OpenAPI document: parameters and body from their zod schemas. What a
 * handler answers is its own: any JSON on success (200, 201) or nothing (204), and the problems every custom
 * route can give (its validation, its `auth`, and the errors a handler throws from the records service).
 */
export function customRoutePaths(routes: readonly CustomRoute[], errors: ErrorRefs): Record<string, PathItem> {
  const paths: Record<string, PathItem> = {};
  const ids = operationIds(routes);
  for (const [index, route] of routes.entries()) {
    const { options } = route;
    const template = route.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
    const pathParameters = parametersOf(options.params, 'path');
    const parameters = [...pathParameters, ...undescribedPathParameters(route, pathParameters), ...parametersOf(options.query, 'query')];
    const auth = options.auth ?? 'signed-in';
    const anyJson = { 'application/json': { schema: {} } };
    const operation: Operation = {
      operationId: ids[index]!,
      summary: options.summary ?? `${route.method} ${route.path}`,
      tags: ['custom'],
      ...(parameters.length ? { parameters } : {}),
      ...(options.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(options.body) } } } } : {}),
      responses: {
        '200': { description: "The handler's answer.", content: anyJson },
        '201': { description: "The handler's answer, when it created something.", content: anyJson },
        '204': { description: 'The handler answered nothing.' },
        ...errors(400, 403, 404, 409, 412, 422),
      },
    };
    if (auth !== 'anyone') operation.description = auth === 'admin' ? 'Admins only.' : 'Signed-in users and admins only.';
    (paths[template] ??= {})[route.method.toLowerCase() as keyof PathItem] = operation;
  }
  return paths;
}
