/** A route Fastify serves: a method and its path as registered (`/api/collections/:collection/records`). */
export interface RegisteredRoute {
  method: string;
  path: string;
}

/**
 * The routes in Fastify's `printRoutes({ commonPrefix: false })` tree, which is the only list of its routes
 * Fastify gives after start. Each line is a path segment appended to its parent's, with its methods in brackets;
 * nesting is four characters per level.
 */
export function registeredRoutes(tree: string): RegisteredRoute[] {
  const parents: string[] = [];
  const routes: RegisteredRoute[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (parents[depth - 1] ?? '') + match[2]!;
    parents.length = depth;
    parents.push(path);
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, path });
  }
  return routes;
}
