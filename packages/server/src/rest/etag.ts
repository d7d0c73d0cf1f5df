import { createHash } from 'node:crypto';
import { versionTag, type ReadOptions, type VersionedRecord } from '@causeway/core';

/**
 * A record's ETag. Without `expand` the representation depends only on the record's version (and the
 * selected fields), so the tag is strong and If-Match accepts it; expanded relations can change on their own,
 * so then the tag is a weak hash of the body, good for If-None-Match only.
 */
export function recordEtag(result: VersionedRecord, options: ReadOptions = {}): string {
  if (options.expand?.length) {
    return `W/"${createHash('sha1').update(JSON.stringify(result.record)).digest('base64url').slice(0, 22)}"`;
  }
  const fields = options.fields?.length ? `-${createHash('sha1').update(options.fields.join(',')).digest('base64url').slice(0, 8)}` : '';
  return `"${versionTag(result)}${fields}"`;
}

/** Entity tags listed in an If-Match / If-None-Match header; `*` stays as is. */
export function parseEtagList(header: string | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  return header.split(',').map((tag) => tag.trim()).filter(Boolean);
}

/** If-None-Match uses weak comparison (RFC 9110 §13.1.2). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  const tags = parseEtagList(header);
  if (!tags) return false;
  const opaque = (tag: string) => tag.replace(/^W\//, '');
  return tags.some((tag) => tag === '*' || opaque(tag) === opaque(etag));
}

/** The version tags an If-Match header allows, for the core (strong comparison: weak tags never match). */
export function ifMatchVersions(header: string | undefined): string[] | undefined {
  const tags = parseEtagList(header);
  if (!tags || tags.includes('*')) return undefined;
  return tags.filter((tag) => !tag.startsWith('W/')).map((tag) => tag.replace(/^"|"$/g, ''));
}
