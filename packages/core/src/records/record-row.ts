import type { Collection } from '../schema/collection.js';
import { passwordHashField } from '../schema/account-fields.js';
import type { Field } from '../schema/field.js';
import type { SqlRow } from '../sql/sql-database.js';
import { decodeValue } from './field-codec.js';
import type { CausewayRecord, VersionedRecord } from './record.js';

/** Hidden column counting a record's writes; its ETag is made from it. */
export const versionColumn = '_version';

/**
 * What a decoded row holds: `client`, what any API may return (no hidden field); `internal`, every field a rule
 * may read (hidden ones too) for the core's own judgements — the change log and realtime matching — and never
 * for output. A password hash is in neither: no rule can name it.
 */
export type RecordImage = 'client' | 'internal';

/** A field no image holds and no filter or rule can name: an account's password hash. */
export function isCredentialField(collection: Collection, field: Field): boolean {
  return collection.type === 'auth' && field.name === passwordHashField;
}

function inImage(collection: Collection, field: Field, image: RecordImage): boolean {
  return image === 'internal' ? !isCredentialField(collection, field) : !field.hidden;
}

export function decodeRow(collection: Collection, row: SqlRow, image: RecordImage = 'client'): VersionedRecord {
  const record: VersionedRecord['record'] = {
    id: row.id as string,
    created: row.created as string,
    updated: row.updated as string,
  };
  for (const field of collection.fields) if (inImage(collection, field, image)) record[field.name] = decodeValue(field, row[field.name]);
  return { record, version: Number(row[versionColumn]) };
}

/** An internal image as clients may see it: hidden fields removed (a copy; the record itself is unchanged). */
export function clientRecord(collection: Collection, record: CausewayRecord): CausewayRecord {
  if (!collection.fields.some((field) => field.hidden && Object.hasOwn(record, field.name))) return record;
  const visible: CausewayRecord = { ...record };
  for (const field of collection.fields) if (field.hidden) delete visible[field.name];
  return visible;
}
