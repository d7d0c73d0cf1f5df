import { CausewayError } from '../errors/causeway-error.js';
import { isSystemField, type Collection } from '../schema/collection.js';
import { fieldTypeOf, type Field } from '../schema/field.js';

export interface SortKey {
  field: string;
  descending: boolean;
}

const maxSortKeys = 8;

/**
 * `-created,title` → keys, checked against the collection. `id` is always appended as the last key, in the
 * direction of the key before it, so the order is total, cursors are exact, and an index on `(field, id)`
 * serves the whole ORDER BY in either direction. Fields `queryable` refuses (hidden, or restricted for the caller:
 * see `mayQuery`) are unknown here: their order would leak them.
 */
export function parseSort(text: string | undefined, collection: Collection, queryable: (field: Field) => boolean = (field) => !field.hidden): SortKey[] {
  const keys: SortKey[] = [];
  let position = 0;
  for (const part of text ? text.split(',') : []) {
    const trimmed = part.trim();
    const at = position + part.indexOf(trimmed);
    position += part.length + 1;
    const descending = trimmed.startsWith('-');
    const name = trimmed.replace(/^[-+]/, '');
    if (name === '') throw new CausewayError('INVALID_SORT', `expected a field name at character ${at}`, { position: at });
    const field = collection.fields.find((f) => f.name === name);
    if ((!field && !isSystemField(name)) || (field && !queryable(field))) {
      throw new CausewayError('INVALID_SORT', `unknown field '${name}' in collection '${collection.name}' at character ${at}`, { position: at });
    }
    if (field && !fieldTypeOf(field).sortable(field)) {
      throw new CausewayError('INVALID_SORT', `cannot sort by ${field.type} field '${name}' at character ${at}`, { position: at });
    }
    if (keys.some((k) => k.field === name)) {
      throw new CausewayError('INVALID_SORT', `field '${name}' is sorted twice at character ${at}`, { position: at });
    }
    keys.push({ field: name, descending });
  }
  if (keys.length > maxSortKeys) throw new CausewayError('INVALID_SORT', `at most ${maxSortKeys} sort keys are allowed`);
  if (!keys.some((k) => k.field === 'id')) keys.push({ field: 'id', descending: keys.at(-1)?.descending ?? false });
  return keys;
}

export function formatSort(keys: readonly SortKey[]): string {
  return keys.map((k) => (k.descending ? `-${k.field}` : k.field)).join(',');
}
