import { CausewayError, type FieldIssue } from '../errors/causeway-error.js';
import { decodeValue, encodeValue } from '../records/field-codec.js';
import { versionColumn } from '../records/record-row.js';
import type { SqlDatabase, SqlExecutor } from '../sql/sql-database.js';
import { SqlParams } from '../sql/sql-dialect.js';
import { canonicalJson } from '../values/canonical-json.js';
import { isBlank, validateValue } from '../values/validate-value.js';
import type { Collection } from './collection.js';
import type { Field } from './field.js';

/** How a collection's fields map from one definition to the next (matched by field id). */
export interface FieldChanges {
  kept: { before: Field; after: Field }[];
  added: Field[];
  removed: Field[];
}

export function diffFields(before: Collection, after: Collection): FieldChanges {
  const kept: FieldChanges['kept'] = [];
  const added: Field[] = [];
  for (const field of after.fields) {
    const old = before.fields.find((f) => f.id === field.id);
    if (old) kept.push({ before: old, after: field });
    else added.push(field);
  }
  const removed = before.fields.filter((f) => !after.fields.some((a) => a.id === f.id));
  return { kept, added, removed };
}

const storageOf = (f: Field) => `${f.type}:${'multiple' in f ? f.multiple : false}`;
const sameRules = (a: Field, b: Field) => canonicalJson({ ...a, name: '' }) === canonicalJson({ ...b, name: '' });

/** Counts, per removed field, the records that hold a value in it: the data a change would destroy. */
export async function dataLoss(db: SqlExecutor, dialect: SqlDatabase['dialect'], table: string, fields: readonly Field[]): Promise<Record<string, number>> {
  const loss: Record<string, number> = {};
  for (const field of fields) {
    const row = await db.get(`SELECT COUNT(*) AS n FROM ${dialect.quoteIdent(table)} WHERE ${dialect.quoteIdent(field.name)} IS NOT NULL`);
    const count = Number(row?.n ?? 0);
    if (count > 0) loss[field.name] = count;
  }
  return loss;
}

/** Checks every existing record against the new definitions of changed fields; lists what does not fit. */
async function checkExistingData(tx: SqlExecutor, db: SqlDatabase, before: Collection, changes: FieldChanges): Promise<void> {
  const issues: Record<string, FieldIssue> = {};
  const table = db.dialect.quoteIdent(before.name);
  const changed = changes.kept.filter(({ before: b, after: a }) => !sameRules(b, a));
  if (changed.length > 0) {
    const rows = await tx.all(`SELECT * FROM ${table}`);
    for (const { before: old, after: field } of changed) {
      if (old.type === 'relation' && field.type === 'relation' && old.collection !== field.collection && rows.some((r) => r[old.name] !== null)) {
        issues[field.name] = { code: 'retarget', message: 'a relation holding data cannot point at another collection' };
        continue;
      }
      let failures = 0;
      let example = '';
      for (const row of rows) {
        const value = decodeValue(old, row[old.name]);
        const problem = isBlank(value) ? (field.required ? 'is required' : undefined) : (() => {
          const check = validateValue(field, value);
          return check.ok ? undefined : check.issue.message;
        })();
        if (problem && failures++ === 0) example = `record '${String(row.id)}' ${problem}`;
      }
      if (failures > 0) issues[field.name] = { code: 'existing_data', message: `${failures} existing record(s) do not fit, e.g. ${example}` };
      else if (field.unique && !old.unique) {
        const column = db.dialect.quoteIdent(old.name);
        const dup = await tx.get(`SELECT ${column} AS v, COUNT(*) AS n FROM ${table} WHERE ${column} IS NOT NULL GROUP BY ${column} HAVING COUNT(*) > 1`);
        if (dup) issues[field.name] = { code: 'existing_data', message: `${Number(dup.n)} existing records share the value ${JSON.stringify(dup.v)}` };
      }
    }
  }
  const count = Number((await tx.get(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0);
  for (const field of changes.added) {
    const hasDefault = 'default' in field && field.default !== undefined;
    if (field.required && !hasDefault && count > 0) {
      issues[field.name] = { code: 'existing_data', message: `${count} existing record(s) have no value: give the field a default` };
    }
  }
  if (Object.keys(issues).length > 0) {
    throw new CausewayError('SCHEMA_CONFLICT', `Existing records of '${before.name}' do not fit the new definition.`, { fields: issues });
  }
}

/**
 * Moves a collection's table to a new definition without losing data: the table is rebuilt under a temporary
 * name, rows are copied (converted in JS where a field's storage changed), then swapped in. One mechanism for
 * every change and every database; it runs inside the caller's transaction.
 */
export async function migrateCollection(tx: SqlExecutor, db: SqlDatabase, before: Collection, after: Collection): Promise<void> {
  const changes = diffFields(before, after);
  await checkExistingData(tx, db, before, changes);
  const q = (name: string) => db.dialect.quoteIdent(name);
  const temporary = `_cw_migrate_${after.name}`;
  for (const statement of db.ddl.createTable(after, temporary)) await tx.run(statement);
  const system = ['id', 'created', 'updated', versionColumn];
  const targets = [...system, ...changes.kept.map((k) => k.after.name), ...changes.added.map((f) => f.name)];
  const converting = changes.kept.some(({ before: b, after: a }) => storageOf(b) !== storageOf(a));
  if (!converting) {
    const params = new SqlParams(db.dialect);
    const sources = [
      ...system.map(q),
      ...changes.kept.map((k) => q(k.before.name)),
      ...changes.added.map((f) => params.addRaw(encodeValue(f, 'default' in f ? f.default : null, db.dialect))),
    ];
    await tx.run(`INSERT INTO ${q(temporary)} (${targets.map(q).join(', ')}) SELECT ${sources.join(', ')} FROM ${q(before.name)}`, params.values);
  } else {
    for (const row of await tx.all(`SELECT * FROM ${q(before.name)}`)) {
      const params = new SqlParams(db.dialect);
      const values = [
        ...system.map((c) => params.addRaw(row[c])),
        ...changes.kept.map((k) => params.addRaw(encodeValue(k.after, convert(k.before, k.after, row[k.before.name]), db.dialect))),
        ...changes.added.map((f) => params.addRaw(encodeValue(f, 'default' in f ? f.default : null, db.dialect))),
      ];
      await tx.run(`INSERT INTO ${q(temporary)} (${targets.map(q).join(', ')}) VALUES (${values.join(', ')})`, params.values);
    }
  }
  for (const statement of [...db.ddl.dropTable(before.name), ...db.ddl.renameTable(temporary, after.name), ...db.ddl.createIndexes(after)]) {
    await tx.run(statement);
  }
}

function convert(before: Field, after: Field, raw: unknown): unknown {
  const value = decodeValue(before, raw);
  if (isBlank(value)) return null;
  const check = validateValue(after, value);
  return check.ok ? check.value : null;
}
