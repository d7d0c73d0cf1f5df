/** The storage key of a record's file. */
export function fileKey(collectionId: string, recordId: string, name: string): string {
  return `${collectionId}/${recordId}/${name}`;
}

/** The storage key of one thumbnail size of a record's file. */
export function thumbKey(collectionId: string, recordId: string, name: string, size: string): string {
  return `${collectionId}/${recordId}/thumbs/${size}/${name}`;
}

/** What a key names: a file, or a thumbnail of one. Undefined for anything else (a stray object). */
export function parseFileKey(key: string): { collectionId: string; recordId: string; name: string } | undefined {
  const parts = key.split('/');
  if (parts.length === 3) return { collectionId: parts[0]!, recordId: parts[1]!, name: parts[2]! };
  if (parts.length === 5 && parts[2] === 'thumbs') return { collectionId: parts[0]!, recordId: parts[1]!, name: parts[4]! };
  return undefined;
}
