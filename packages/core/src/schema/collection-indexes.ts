import type { Collection } from './collection.js';

/**
 * Declared indexes plus the automatic ones, with database-wide unique names (`posts__created`). Non-unique
 * indexes end with `id`, the tie-breaker of every sort, so a sorted page is read straight from the index.
 */
export function collectionIndexes(collection: Collection): { name: string; fields: string[]; unique: boolean }[] {
  const prefix = `${collection.name}__`;
  const withId = (fields: string[]) => (fields.includes('id') ? fields : [...fields, 'id']);
  return [
    { name: `${prefix}created`, fields: ['created', 'id'], unique: false },
    ...collection.fields
      .filter((f) => f.type === 'relation' && !f.multiple && !f.unique)
      .map((f) => ({ name: `${prefix}${f.name}`, fields: [f.name, 'id'], unique: false })),
    ...collection.fields.filter((f) => f.unique).map((f) => ({ name: `${prefix}${f.name}__unique`, fields: [f.name], unique: true })),
    ...collection.indexes.map((index) => ({ ...index, name: `${prefix}${index.name}`, fields: index.unique ? index.fields : withId(index.fields) })),
  ];
}
