import { CausewayError } from '../errors/causeway-error.js';
import type { Condition } from '../query/index.js';
import { forbidden, type AccessRules, type RuleVerdict } from '../rules/access-rules.js';
import { isPrivileged, systemCaller, type Caller } from '../rules/caller.js';
import { ruleBody } from '../rules/rule-variables.js';
import type { ChangeEvent } from '../events/change-event.js';
import type { Collection } from '../schema/collection.js';
import type { SchemaRegistry } from '../schema/schema-registry.js';
import type { SqlDatabase, SqlExecutor } from '../sql/sql-database.js';
import { sqlTemplate, type SqlTemplate } from '../sql/sql-template.js';
import { nowIso } from '../values/dates.js';
import { appendChange } from './change-log.js';
import { versionTag } from './etag.js';
import { encodeValue } from './field-codec.js';
import type { CausewayRecord, VersionedRecord } from './record.js';
import { decodeRow, versionColumn } from './record-row.js';
import { visibleRecord } from './field-visibility.js';
import { notFound, type RecordsReader } from './records-reader.js';
import { checkRelationTargets, findReferencing, withoutTarget, type LinkCheck } from './relation-integrity.js';
import { validateInput } from './validate-input.js';
import { withUploads, type Upload } from '../files/uploads.js';
import type { AfterRegistration, BeforeRegistration, WriteHooks, WriteAction } from '../hooks/record-hooks.js';
import { runHook } from '../hooks/run-hook.js';
import { TransactionRecords } from './transaction-records.js';

export interface WriteOptions {
  /** Version tag(s) (ETag) the client last saw; the write fails with PRECONDITION_FAILED if none is current. */
  ifMatch?: string | readonly string[];
  /** Files already streamed to storage under this record's id, to put in their fields. */
  uploads?: readonly Upload[];
  /** How many hooks deep this write was made (a hook's own write is one deeper); bounded, so hooks cannot recurse forever. */
  hookDepth?: number;
}

export interface CreateOptions {
  /** Values Causeway itself sets (an account's email and password hash); no surface passes these. */
  system?: Readonly<Record<string, unknown>>;
  /** Files already streamed to storage under `id`, to put in their fields. */
  uploads?: readonly Upload[];
  /** The id the server chose before the body was read (uploads are stored under it); a body's `id` must agree. */
  id?: string;
  hookDepth?: number;
}

/** Hooks that write, whose writes run hooks that write…: past this depth the write is refused as a bug. */
export const maxHookDepth = 8;

/** A body after the before-hooks: what the client sent as it stands, and what the hooks set (the server's values). */
interface HookedBody {
  body: unknown;
  set: Record<string, unknown> | undefined;
}

/** Writes records inside a transaction the caller owns, collecting the change events to publish. */
export class RecordsWriter {
  private readonly s: SqlTemplate;

  private readonly rules: AccessRules;

  constructor(
    private readonly db: SqlDatabase,
    private readonly schema: SchemaRegistry,
    private readonly reader: RecordsReader,
    private readonly newRecordId: () => string,
    private readonly hooks: WriteHooks,
  ) {
    this.s = sqlTemplate(db.dialect);
    this.rules = reader.rules;
  }

  /**
   * Each collection's INSERT: the same text for every record, so built once. Keyed by the collection object, which
   * the registry replaces whole on a schema change: a write that began under the old schema keeps its own text.
   */
  private readonly inserts = new WeakMap<Collection, string>();

  /** `INSERT … RETURNING *` with one parameter per column: id, created, updated, version, then the fields in order. */
  private insertSql(collection: Collection): string {
    let text = this.inserts.get(collection);
    if (text === undefined) {
      const q = (name: string) => this.db.dialect.quoteIdent(name);
      const columns = ['id', 'created', 'updated', versionColumn, ...collection.fields.map((f) => f.name)];
      const params = this.s.params();
      text = `INSERT INTO ${q(collection.name)} (${columns.map(q).join(', ')}) VALUES (${columns.map(() => params.addRaw(null)).join(', ')}) RETURNING *`;
      this.inserts.set(collection, text);
    }
    return text;
  }

  async create(tx: SqlExecutor, events: ChangeEvent[], caller: Caller, name: string, data: unknown, options: CreateOptions = {}): Promise<VersionedRecord> {
    const collection = this.reader.collection(name);
    this.rules.refuseAdminsOnly(collection, 'create', caller);
    const hooks = this.hooks.current();
    const depth = options.hookDepth ?? 0;
    const befores = hooks.before('create', name);
    // Called only when there are hooks: a write without any pays no extra promise.
    const hooked = befores.length > 0 ? await this.runBefore(befores, tx, events, caller, collection, 'create', data, null, depth) : { body: data, set: undefined };
    const system = hooked.set ? { ...hooked.set, ...options.system } : options.system;
    const source = system ? { privileged: isPrivileged(caller), system } : { privileged: isPrivileged(caller) };
    const input = withUploads(collection, hooked.body, options.uploads ?? []);
    const { values, id = options.id ?? this.newRecordId() } = validateInput(collection, input, 'create', source);
    if (options.id !== undefined && id !== options.id) throw new CausewayError('VALIDATION_FAILED', 'The record id must come before its files.', { fields: { id: { code: 'id', message: "send the record's fields before its files to choose its id" } } });
    // Judged on the values as they will be stored, so `@request.body` cannot be fooled by their spelling.
    const rule = this.rules.require(collection, 'create', caller, ruleBody(collection, input, values));
    const now = nowIso();
    const row = [id, now, now, 1, ...collection.fields.map((f) => encodeValue(f, values[f.name] ?? null, this.db.dialect))];
    const created = decodeRow(collection, (await tx.get(this.insertSql(collection), row))!, 'internal');
    // Checked on the stored row, so the rule sees defaults and relations; failing rolls the insert back.
    if (rule.kind === 'where') await this.assertStillAllowed(tx, collection, id, rule.condition, 'create');
    // After the rule, so a caller the rule refuses is told so (403) before anything about the targets.
    await checkRelationTargets(collection, values, this.schema, this.links(tx, caller));
    const event = await appendChange(tx, this.s, this.db.positions, name, 'create', created.record, null, now, created.version);
    events.push(event);
    const afters = hooks.after('create', name);
    if (afters.length > 0) await this.runAfter(afters, tx, events, caller, collection, 'create', created.record, null, depth);
    return { record: visibleRecord(collection, created.record, caller), version: created.version, seq: event.seq };
  }

  /**
   * The update rule must hold before the change (may you touch this record?) and after it (may the record
   * become this?), like a PostgreSQL policy whose WITH CHECK defaults to its USING: with the rule
   * `owner = @request.auth.id` nobody can hand a record to someone else.
   */
  async update(tx: SqlExecutor, events: ChangeEvent[], caller: Caller, name: string, id: string, data: unknown, options: WriteOptions = {}): Promise<VersionedRecord> {
    const collection = this.reader.collection(name);
    this.rules.refuseAdminsOnly(collection, 'update', caller);
    const existing = await this.reader.find(collection, id, tx, undefined, 'update');
    if (!existing) throw notFound(collection, id);
    const hooks = this.hooks.current();
    const depth = options.hookDepth ?? 0;
    const befores = hooks.before('update', name);
    // A hook must not learn of (or act on) a record the caller cannot see.
    if (befores.length > 0 && !(await this.reader.visible(caller, collection, id, tx))) throw notFound(collection, id);
    const hooked = befores.length > 0 ? await this.runBefore(befores, tx, events, caller, collection, 'update', data, existing.record, depth) : { body: data, set: undefined };
    let values: Record<string, unknown>;
    let input = hooked.body;
    try {
      input = withUploads(collection, hooked.body, options.uploads ?? [], existing.record);
      const source = hooked.set ? { privileged: isPrivileged(caller), system: hooked.set } : { privileged: isPrivileged(caller) };
      ({ values } = validateInput(collection, input, 'update', source, existing.record));
    } catch (error) {
      // Field errors only for a record the caller can see; anyone else learns nothing about its existence.
      if (!(await this.reader.visible(caller, collection, id, tx))) throw notFound(collection, id);
      throw error;
    }
    const rule = this.rules.require(collection, 'update', caller, ruleBody(collection, input, values));
    const current = await this.current(tx, caller, collection, id, options, rule, 'update', existing);
    const updated = await this.writeValues(tx, events, collection, current.record, values);
    if (rule.kind === 'where') await this.assertStillAllowed(tx, collection, id, rule.condition, 'update');
    await checkRelationTargets(collection, values, this.schema, this.links(tx, caller, current.record));
    const afters = hooks.after('update', name);
    if (afters.length > 0) await this.runAfter(afters, tx, events, caller, collection, 'update', updated.record, current.record, depth);
    return { ...updated, record: visibleRecord(collection, updated.record, caller) };
  }

  /** How this writer's relation targets are checked: admins may link any record, others those they may view. */
  private links(tx: SqlExecutor, caller: Caller, previous?: CausewayRecord): LinkCheck {
    return {
      existing: this.reader.byIds(tx, 'share'),
      // Locked, whichever is read: a target must not be deleted between this check and the commit.
      ...(isPrivileged(caller) ? {} : { viewable: this.reader.visibleByIds(tx, caller, 'share') }),
      ...(previous ? { previous } : {}),
    };
  }

  /** Sets values Causeway owns (an account's `verified`, its password hash) without rules. */
  async updateSystem(tx: SqlExecutor, events: ChangeEvent[], name: string, id: string, system: Readonly<Record<string, unknown>>): Promise<VersionedRecord> {
    const collection = this.reader.collection(name);
    const current = await this.reader.find(collection, id, tx, undefined, 'update');
    if (!current) throw notFound(collection, id);
    const { values } = validateInput(collection, {}, 'update', { privileged: true, system }, current.record);
    const updated = await this.writeValues(tx, events, collection, current.record, values);
    return { ...updated, record: visibleRecord(collection, updated.record, systemCaller) };
  }

  async delete(tx: SqlExecutor, events: ChangeEvent[], caller: Caller, name: string, id: string, options: WriteOptions = {}): Promise<void> {
    const collection = this.reader.collection(name);
    const rule = this.rules.require(collection, 'delete', caller);
    const current = await this.current(tx, caller, collection, id, options, rule, 'delete');
    const hooks = this.hooks.current();
    const depth = options.hookDepth ?? 0;
    const befores = hooks.before('delete', name);
    if (befores.length > 0) await this.runBefore(befores, tx, events, caller, collection, 'delete', {}, current.record, depth);
    // Cascades follow from the schema the admin designed, so they apply whatever the other collections' rules.
    await this.deleteCascading(tx, events, collection, current, new Set());
    const afters = hooks.after('delete', name);
    if (afters.length > 0) await this.runAfter(afters, tx, events, caller, collection, 'delete', current.record, current.record, depth);
  }

  /**
   * Runs the before-hooks on a copy of the body. What they set or changed is the server's own value (exempt from
   * read-only and hidden, like Causeway's), still validated; what they left is the client's and judged as such.
   */
  private async runBefore(
    befores: readonly BeforeRegistration[],
    tx: SqlExecutor,
    events: ChangeEvent[],
    caller: Caller,
    collection: Collection,
    action: WriteAction,
    data: unknown,
    record: CausewayRecord | null,
    depth: number,
  ): Promise<HookedBody> {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return { body: data, set: undefined };
    const sent = data as Record<string, unknown>;
    const draft: Record<string, unknown> = { ...sent };
    const records = this.hookRecords(tx, events, caller, depth);
    for (const hook of befores) {
      const pending = runHook(hook, { collection: collection.name, action, data: draft, record, caller, records });
      if (pending) await pending;
    }
    const kept: [string, unknown][] = [];
    const set: [string, unknown][] = [];
    for (const entry of Object.entries(draft)) (Object.hasOwn(sent, entry[0]) && Object.is(sent[entry[0]], entry[1]) ? kept : set).push(entry);
    // fromEntries defines own properties: a key such as `__proto__` stays a key, never a prototype.
    return { body: Object.fromEntries(kept), set: set.length > 0 ? Object.fromEntries(set) : undefined };
  }

  private async runAfter(
    afters: readonly AfterRegistration[],
    tx: SqlExecutor,
    events: ChangeEvent[],
    caller: Caller,
    collection: Collection,
    action: WriteAction,
    record: CausewayRecord,
    previous: CausewayRecord | null,
    depth: number,
  ): Promise<void> {
    const records = this.hookRecords(tx, events, caller, depth);
    for (const hook of afters) {
      const pending = runHook(hook, { collection: collection.name, action, record, previous, caller, records });
      if (pending) await pending;
    }
  }

  private hookRecords(tx: SqlExecutor, events: ChangeEvent[], caller: Caller, depth: number): TransactionRecords {
    if (depth >= maxHookDepth) throw new Error(`hooks nested more than ${maxHookDepth} writes deep (a hook that triggers itself?)`);
    return new TransactionRecords(this, this.reader, tx, events, caller, depth + 1);
  }

  private async current(
    tx: SqlExecutor,
    caller: Caller,
    collection: Collection,
    id: string,
    options: WriteOptions,
    rule: Exclude<RuleVerdict, { kind: 'deny' }>,
    action: 'update' | 'delete',
    /** The row as this transaction already read it: it serves unless a rule condition must narrow the read. */
    known?: VersionedRecord,
  ): Promise<VersionedRecord> {
    const current = rule.kind !== 'where' && known ? known : await this.reader.find(collection, id, tx, rule.kind === 'where' ? rule.condition : undefined, 'update');
    if (!current) {
      // 403 only to a caller who can see the record; anyone else learns nothing about its existence.
      if (rule.kind === 'where' && (await this.reader.visible(caller, collection, id, tx))) throw forbidden(collection, action);
      throw notFound(collection, id);
    }
    const allowed = typeof options.ifMatch === 'string' ? [options.ifMatch] : options.ifMatch;
    if (allowed !== undefined && !allowed.includes(versionTag(current))) {
      throw new CausewayError('PRECONDITION_FAILED', `Record '${id}' has changed since version ${allowed.join(', ')}.`, {
        extra: { currentVersion: versionTag(current) },
      });
    }
    return current;
  }

  private async writeValues(tx: SqlExecutor, events: ChangeEvent[], collection: Collection, previous: CausewayRecord, values: Record<string, unknown>): Promise<VersionedRecord> {
    const id = previous.id;
    const now = nowIso();
    const params = this.s.params();
    const assignments = Object.entries(values).map(([name, value]) => {
      const field = collection.fields.find((f) => f.name === name)!;
      return `${this.db.dialect.quoteIdent(name)} = ${params.addRaw(encodeValue(field, value, this.db.dialect))}`;
    });
    const version = this.db.dialect.quoteIdent(versionColumn);
    assignments.push(`updated = ${params.add(now)}`, `${version} = ${version} + 1`);
    const row = await tx.get(
      `UPDATE ${this.db.dialect.quoteIdent(collection.name)} SET ${assignments.join(', ')} WHERE id = ${params.add(id)} RETURNING *`,
      params.values,
    );
    const updated = decodeRow(collection, row!, 'internal');
    const event = await appendChange(tx, this.s, this.db.positions, collection.name, 'update', updated.record, previous, now, updated.version);
    events.push(event);
    return { ...updated, seq: event.seq };
  }

  private async assertStillAllowed(tx: SqlExecutor, collection: Collection, id: string, condition: Condition, action: 'create' | 'update'): Promise<void> {
    if (!(await this.reader.find(collection, id, tx, condition))) throw forbidden(collection, action);
  }

  /** Deletes a record after applying every relation's onDelete rule that points at it. */
  private async deleteCascading(tx: SqlExecutor, events: ChangeEvent[], collection: Collection, target: VersionedRecord, visited: Set<string>): Promise<void> {
    const key = `${collection.name}/${target.record.id}`;
    if (visited.has(key)) return;
    visited.add(key);
    for (const reference of this.schema.referencesTo(collection.name)) {
      const rows = await findReferencing(tx, this.db.dialect, reference, target.record.id);
      for (const row of rows) {
        const referencing = decodeRow(reference.collection, row, 'internal');
        if (visited.has(`${reference.collection.name}/${referencing.record.id}`)) continue;
        switch (reference.field.onDelete) {
          case 'restrict':
            throw new CausewayError('RELATION_RESTRICT', `Record '${target.record.id}' is still referenced by '${reference.collection.name}' record '${referencing.record.id}' (field '${reference.field.name}').`, {
              extra: { collection: reference.collection.name, field: reference.field.name, recordId: referencing.record.id },
            });
          case 'cascade':
            await this.deleteCascading(tx, events, reference.collection, referencing, visited);
            break;
          case 'setNull': {
            const value = withoutTarget(reference.field, referencing.record[reference.field.name], target.record.id);
            await this.writeValues(tx, events, reference.collection, referencing.record, { [reference.field.name]: value });
          }
        }
      }
    }
    const { text, params } = this.s.q`DELETE FROM ${this.s.id(collection.name)} WHERE id = ${target.record.id}`;
    await tx.run(text, params);
    events.push(await appendChange(tx, this.s, this.db.positions, collection.name, 'delete', target.record, target.record, nowIso(), target.version));
  }
}
