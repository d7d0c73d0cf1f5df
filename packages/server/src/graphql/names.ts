import type { Collection } from '@causeway/core';

const graphqlName = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** `blog_posts` → `BlogPosts`: the type name of a collection's records. */
export function typeName(collection: Collection | string): string {
  const name = typeof collection === 'string' ? collection : collection.name;
  return name
    .split('_')
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** `postsByAuthor`: the back-relation field on the target of `posts.author`. */
export function backRelationName(collection: Collection, field: string): string {
  return `${collection.name}By${field[0]!.toUpperCase()}${field.slice(1)}`;
}

/**
 * Enum value names for a select field's values, or undefined when they cannot all be GraphQL names
 * (`in-progress` → `in_progress`; two values mapping to one name, or a leading digit, fall back to String).
 */
export function enumValueNames(values: readonly string[]): Map<string, string> | undefined {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const value of values) {
    const name = value.replace(/[^_0-9A-Za-z]/g, '_');
    if (!graphqlName.test(name) || taken.has(name) || ['true', 'false', 'null'].includes(name)) return undefined;
    taken.add(name);
    names.set(value, name);
  }
  return names;
}
