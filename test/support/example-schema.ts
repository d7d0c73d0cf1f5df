import { readFileSync } from 'node:fs';
import type { Collection } from '../../packages/core/src/schema/collection.js';
import { normalizeCollection } from '../../packages/core/src/schema/normalize-collection.js';

/** The example's `todos` collection as the server stores it (what `causeway types` reads). */
export function normalizeTodos(): Collection {
  return normalizeCollection(JSON.parse(readFileSync('examples/todo/todos-collection.json', 'utf8')), { collection: () => undefined });
}
