import type { Collection } from './collection.js';
import type { Field } from './field.js';
import { newId } from './new-id.js';

/** The column an auth collection keeps its password hash in: hidden, so no API ever returns it. */
export const passwordHashField = 'passwordHash';

/** Fields every auth collection has, whatever its definition says; only Causeway (or an admin) sets them. */
const accountFields: readonly Field[] = [
  { id: '', name: 'email', type: 'email', required: true, unique: true, readOnly: true },
  { id: '', name: 'verified', type: 'bool', required: false, unique: false, readOnly: true, default: false },
  { id: '', name: passwordHashField, type: 'text', required: false, unique: false, readOnly: true, hidden: true },
];

/**
 * Puts the account fields first, replacing any same-named field of the input (keeping its id, so an
 * existing column is reused) and keeping the collection's own fields after them.
 */
export function withAccountFields(fields: Field[], previous: Collection | undefined): void {
  const own = fields.filter((f) => !accountFields.some((a) => a.name === f.name));
  const account = accountFields.map((template) => {
    const id = fields.find((f) => f.name === template.name)?.id ?? previous?.fields.find((f) => f.name === template.name)?.id ?? newId('f_');
    return { ...template, id };
  });
  fields.splice(0, fields.length, ...account, ...own);
}

export function isAccountCollection(collection: Collection): boolean {
  return collection.type === 'auth';
}
