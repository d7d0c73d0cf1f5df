import type { Collection } from '../schema/collection.js';
import type { SqlRow } from '../sql/sql-database.js';
import { decodeValue } from './field-codec.js';
import type { VersionedRecord } from './record.js';

/** Hidden column counting a record's writes; its ETag is made from it. */
export const versionColumn = '_version';

export function decodeRow(collection: Collection, row: SqlRow): VersionedRecord {
  const record: VersionedRecord['record'] = {
    id: row.id as string,
    created: row.created as string,
    updated: row.updated as string,
  };
  // Hidden fields (password hashes) stop here: nothing built from a decoded row can return them.
  for (const field of collection.fields) if (!field.hidden) record[field.name] = decodeValue(field, row[field.name]);
  return { record, version: Number(row[versionColumn]) };
}
