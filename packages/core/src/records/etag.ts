import type { VersionedRecord } from './record.js';

/**
 * The version tag of a record (the REST ETag, GraphQL `ifMatch`): its write count plus its creation time,
 * so a record deleted and created again under the same id never repeats a tag.
 */
export function versionTag({ record, version }: VersionedRecord): string {
  return `${version}.${Date.parse(record.created).toString(36)}`;
}
