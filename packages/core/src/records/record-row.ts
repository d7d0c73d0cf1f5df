import type { Collection } from '../schema/collection.js';
import { passwordHashField } from '../schema/account-fields.js';
import type { Field } from '../schema/field.js';
import type { SqlRow } from '../sql/sql-database.js';
import { decodeValue } from './field-codec.js';
import type { VersionedRecord } from './record.js';
import { mayRead } from './field-visibility.js';
import type { Caller } from '../rules/caller.js';

/** Hidden column counting a record's writes; its ETag is made from it. */
export const versionColumn = '_version';

/**
 * What a decoded row holds: a caller's image, what that caller may read (see `field-visibility.ts`: never a hidden
 * field, and owner- or admins-only fields only for them); `internal`, every field a rule may read (hidden ones too)
 * for the core's own judgements — the change log and realtime matching — and never for output. A password hash is
 * in neither: no rule can name it.
 */
export type RecordImage = Caller | 'internal';

/** A field no image holds and no filter or rule can name: an account's password hash. */
export function isCredentialField(collection: Collection, field: Field): boolean {
  return collection.type === 'auth' && field.name === passwordHashField;
}

function inImage(collection: Collection, field: Field, image: RecordImage, id: unknown): boolean {
  return image === 'internal' ? !isCredentialField(collection, field) : mayRead(image, collection, field, id);
}

export function decodeRow(collection: Collection, row: SqlRow, image: RecordImage): VersionedRecord {
  const record: VersionedRecord['record'] = {
    id: row.id as string,
    created: row.created as string,
    updated: row.updated as string,
  };
  for (const field of collection.fields) if (inImage(collection, field, image, row.id)) record[field.name] = decodeValue(field, row[field.name]);
  return { record, version: Number(row[versionColumn]) };
}
