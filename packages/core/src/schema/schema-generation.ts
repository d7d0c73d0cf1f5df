import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../sql/sql-database.js';
import { canonicalJson } from '../values/canonical-json.js';
import type { SqlTemplate } from '../sql/sql-template.js';
import { readInternalSetting, writeInternalSetting } from '../settings/internal-settings.js';
import type { Collection } from './collection.js';
import { loadCollections } from './collections-table.js';
import type { SchemaRegistry } from './schema-registry.js';

/**
 * A token stored with the schema that every schema change replaces. A write compares it with its registry's
 * inside its (globally serialised) transaction: one indexed read tells whether another instance changed the
 * schema since this one last loaded it, so no write is ever judged by a schema that is no longer in force.
 */
const generationSetting = 'schema_generation';

/** The stored generation; '' for a database no schema change has stamped yet. */
export async function readSchemaGeneration(executor: SqlExecutor, s: SqlTemplate): Promise<string> {
  return (await readInternalSetting(executor, s, generationSetting)) ?? '';
}

/** Stamps a new generation inside a schema change's transaction and returns it. */
export async function stampSchemaGeneration(tx: SqlExecutor, s: SqlTemplate): Promise<string> {
  const generation = randomUUID();
  await writeInternalSetting(tx, s, generationSetting, generation);
  return generation;
}

/** Thrown inside a transaction that finds the stored schema ahead of this instance's registry. */
export class StaleSchema extends Error {
  constructor(
    readonly stored: Collection[],
    readonly generation: string,
  ) {
    super('Another instance changed the schema.');
  }
}

/**
 * Reads the stored schema into `registry` if it differs; resolves whether the registry changed. Generation
 * first: a change committing between the two reads leaves the registry looking stale (so the next write reloads
 * again), never looking current with an older schema. A registry replaced while this one read (by a schema
 * change committed here, or a write that found it stale) is kept: putting back what this read found could undo
 * a newer change, and a registry that is still behind is caught by the next write's check.
 */
export async function reloadRegistry(executor: SqlExecutor, s: SqlTemplate, registry: SchemaRegistry): Promise<boolean> {
  const revision = registry.revision;
  const generation = await readSchemaGeneration(executor, s);
  const stored = await loadCollections(executor, s);
  if (registry.revision !== revision) return true;
  if (generation === registry.generation && sameSchema(stored, registry.list())) return false;
  registry.replace(stored, generation);
  return true;
}

function sameSchema(a: readonly Collection[], b: readonly Collection[]): boolean {
  const key = (list: readonly Collection[]) => canonicalJson([...list].sort((x, y) => (x.name < y.name ? -1 : 1)));
  return key(a) === key(b);
}

/** Throws `StaleSchema` (carrying what is stored) when the registry is behind the database. */
export async function assertSchemaCurrent(tx: SqlExecutor, s: SqlTemplate, registry: SchemaRegistry): Promise<void> {
  const generation = await readSchemaGeneration(tx, s);
  if (generation !== registry.generation) throw new StaleSchema(await loadCollections(tx, s), generation);
}

/**
 * Runs `attempt`; each time it finds the registry stale, brings the registry up to date and runs it again
 * (a few times at most: each retry needs yet another schema change to have committed in between).
 */
export async function retryOnStaleSchema<T>(registry: SchemaRegistry, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StaleSchema) || tries === 5) throw error;
      registry.replace(error.stored, error.generation);
    }
  }
}
