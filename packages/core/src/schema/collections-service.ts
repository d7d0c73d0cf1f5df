import { CausewayError } from '../errors/causeway-error.js';
import type { EventBus } from '../events/event-bus.js';
import type { SqlDatabase, SqlExecutor } from '../sql/sql-database.js';
import { canonicalJson } from '../values/canonical-json.js';
import { sqlTemplate, type SqlTemplate } from '../sql/sql-template.js';
import { adminOnlyRules, type Collection } from './collection.js';
import { deleteCollectionRow, saveCollection } from './collections-table.js';
import { dataLoss, diffFields, migrateCollection } from './migrate-collection.js';
import { normalizeCollection } from './normalize-collection.js';
import { prepareDatabase } from './prepare-database.js';
import { assertSchemaCurrent, reloadRegistry, retryOnStaleSchema, stampSchemaGeneration } from './schema-generation.js';
import type { SchemaLookup } from './schema-lookup.js';
import type { SchemaRegistry } from './schema-registry.js';

export interface ImportReport {
  created: string[];
  updated: string[];
  unchanged: string[];
}

export interface DestructiveOptions {
  /** Allows a change that drops data (a field or collection holding values). */
  confirm?: boolean;
}

/** Work a schema import carries out in its own transaction, so the whole import is kept or none of it is. */
export interface ImportOptions extends DestructiveOptions {
  /** Runs first (a data import empties what it replaces here, so nothing stands in the way of altering). */
  before?: (tx: SqlExecutor) => Promise<void>;
  /** Runs last, with the collections as the import leaves them (a data import inserts its rows here). */
  after?: (tx: SqlExecutor, collections: ReadonlyMap<string, Collection>) => Promise<void>;
}

/**
 * Creates, alters and deletes collections: their definitions, their tables and the data in them. With several
 * instances on one database, each change is planned against this instance's registry and then checked, inside
 * the (globally serialised) transaction, against what is stored: if another instance changed the schema first,
 * the registry is refreshed and the change planned again. Other instances are told to reload.
 */
export class CollectionsService {
  private readonly s: SqlTemplate;

  constructor(
    private readonly db: SqlDatabase,
    private readonly schema: SchemaRegistry,
    private readonly bus?: EventBus,
  ) {
    this.s = sqlTemplate(db.dialect);
    bus?.onSignal((signal) => {
      if (signal.kind === 'schema') void this.reload().catch(() => undefined);
    });
  }

  /** Reads the stored schema into the registry (at start, or after another instance changed it). */
  async reload(): Promise<void> {
    await reloadRegistry(this.db, this.s, this.schema);
  }

  /** Creates the system tables if needed and loads the collections into the registry. */
  async open(): Promise<void> {
    await prepareDatabase(this.db);
    await this.reload();
  }

  list(): Collection[] {
    return this.schema.list();
  }

  get(name: string): Collection {
    const collection = this.schema.collection(name);
    if (!collection) throw new CausewayError('COLLECTION_NOT_FOUND', `There is no collection '${name}'.`);
    return collection;
  }

  create(input: unknown): Promise<Collection> {
    return retryOnStaleSchema(this.schema, () => this.createNow(input));
  }

  private async createNow(input: unknown): Promise<Collection> {
    const collection = normalizeCollection(input, this.schema);
    this.assertNameFree(collection.name);
    await this.commit(async (tx) => {
      for (const statement of [...this.db.ddl.createTable(collection, collection.name), ...this.db.ddl.createIndexes(collection)]) await tx.run(statement);
      await saveCollection(tx, this.s, collection);
    }, [...this.schema.list(), collection]);
    return this.get(collection.name);
  }

  update(name: string, input: unknown, options: DestructiveOptions = {}): Promise<Collection> {
    return retryOnStaleSchema(this.schema, () => this.updateNow(name, input, options));
  }

  private async updateNow(name: string, input: unknown, options: DestructiveOptions): Promise<Collection> {
    const before = this.get(name);
    const after = normalizeCollection(input, this.schema, before);
    if (after.name !== before.name) {
      throw new CausewayError('INVALID_SCHEMA', 'Renaming a collection is not supported; create a new one and copy the records.', {
        fields: { name: { code: 'rename', message: `must stay '${before.name}'` } },
      });
    }
    await this.commit(async (tx) => {
      const loss = await dataLoss(tx, this.db.dialect, before.name, diffFields(before, after).removed);
      if (Object.keys(loss).length > 0 && !options.confirm) {
        throw new CausewayError('CONFIRMATION_REQUIRED', `Removing ${Object.keys(loss).join(', ')} would delete data; repeat with confirm=true.`, { extra: { loss } });
      }
      await migrateCollection(tx, this.db, before, after);
      await saveCollection(tx, this.s, after);
    }, this.schema.list().map((c) => (c.name === name ? after : c)));
    return this.get(name);
  }

  delete(name: string, options: DestructiveOptions = {}): Promise<void> {
    return retryOnStaleSchema(this.schema, () => this.deleteNow(name, options));
  }

  private async deleteNow(name: string, options: DestructiveOptions): Promise<void> {
    const collection = this.get(name);
    const referencing = this.schema.referencesTo(name).filter((r) => r.collection.name !== name);
    if (referencing.length > 0) {
      const where = referencing.map((r) => `${r.collection.name}.${r.field.name}`).join(', ');
      throw new CausewayError('SCHEMA_CONFLICT', `'${name}' is the target of relation fields (${where}); remove them first.`);
    }
    await this.commit(async (tx) => {
      const row = await tx.get(`SELECT COUNT(*) AS n FROM ${this.db.dialect.quoteIdent(name)}`);
      const count = Number(row?.n ?? 0);
      if (count > 0 && !options.confirm) {
        throw new CausewayError('CONFIRMATION_REQUIRED', `'${name}' holds ${count} record(s) that would be deleted; repeat with confirm=true.`, { extra: { loss: { records: count } } });
      }
      for (const statement of this.db.ddl.dropTable(name)) await tx.run(statement);
      await deleteCollectionRow(tx, this.s, collection.id);
    }, this.schema.list().filter((c) => c.name !== name));
  }

  /**
   * Applies a whole schema (a schema file): creates what is missing, alters what differs, leaves equal
   * collections untouched, all in one transaction. Collections not in the file are kept.
   */
  import(inputs: readonly unknown[], options: ImportOptions = {}): Promise<ImportReport> {
    return retryOnStaleSchema(this.schema, () => this.importNow(inputs, options));
  }

  private async importNow(inputs: readonly unknown[], options: ImportOptions): Promise<ImportReport> {
    const names = new Set(inputs.map((i) => (i as { name?: unknown })?.name).filter((n): n is string => typeof n === 'string'));
    const lookup: SchemaLookup = {
      collection: (name) => this.schema.collection(name) ?? (names.has(name) ? placeholder(name) : undefined),
    };
    const planned = inputs.map((input) => {
      const name = (input as { name?: unknown })?.name;
      const before = typeof name === 'string' ? this.schema.collection(name) : undefined;
      return { before, after: normalizeCollection(input, lookup, before) };
    });
    const report: ImportReport = { created: [], updated: [], unchanged: [] };
    const next = new Map(this.schema.list().map((c) => [c.name, c]));
    await this.commit(async (tx) => {
      await options.before?.(tx);
      for (const { before, after } of planned) {
        if (!before) {
          for (const statement of [...this.db.ddl.createTable(after, after.name), ...this.db.ddl.createIndexes(after)]) await tx.run(statement);
          report.created.push(after.name);
        } else if (sameDefinition(before, after)) {
          report.unchanged.push(after.name);
          continue;
        } else {
          const loss = await dataLoss(tx, this.db.dialect, before.name, diffFields(before, after).removed);
          if (Object.keys(loss).length > 0 && !options.confirm) {
            throw new CausewayError('CONFIRMATION_REQUIRED', `Importing would delete data in '${before.name}' (${Object.keys(loss).join(', ')}); repeat with confirm.`, { extra: { loss } });
          }
          await migrateCollection(tx, this.db, before, after);
          report.updated.push(after.name);
        }
        await saveCollection(tx, this.s, after);
        next.set(after.name, after);
      }
      await options.after?.(tx, next);
    }, () => [...next.values()]);
    return report;
  }

  /** The schema as a document for a file in git: stable order, no timestamps. */
  export(): { version: 1; collections: Omit<Collection, 'created' | 'updated'>[] } {
    return { version: 1, collections: this.schema.list().map(({ created: _c, updated: _u, ...rest }) => rest) };
  }

  private assertNameFree(name: string): void {
    if (this.schema.list().some((c) => c.name.toLowerCase() === name.toLowerCase())) {
      throw new CausewayError('COLLECTION_EXISTS', `A collection named '${name}' already exists.`);
    }
  }

  /** Runs a schema transaction and swaps the registry at commit, before any other write can start. */
  private async commit(work: Parameters<SqlDatabase['transaction']>[0], next: Collection[] | (() => Collection[])): Promise<void> {
    await this.db.transaction(async (tx) => {
      await assertSchemaCurrent(tx, this.s, this.schema);
      await work(tx);
      return stampSchemaGeneration(tx, this.s);
    }, (generation) => this.schema.replace(typeof next === 'function' ? next() : next, generation), { alone: true });
    await this.bus?.signal({ kind: 'schema' });
  }
}

function placeholder(name: string): Collection {
  return { id: '', name, type: 'base', fields: [], indexes: [], ...adminOnlyRules, created: '', updated: '' };
}

function sameDefinition(a: Collection, b: Collection): boolean {
  const strip = ({ created: _c, updated: _u, ...rest }: Collection) => canonicalJson(rest);
  return strip(a) === strip(b);
}
