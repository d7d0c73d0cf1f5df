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
  const account = accountFields.map((template): Field => {
    const given = fields.find((f) => f.name === template.name);
    const before = previous?.fields.find((f) => f.name === template.name);
    const id = given?.id ?? before?.id ?? newId('f_');
    if (template.name !== 'email') return { ...template, id };
    // Only the email's visibility is the admin's to choose: the account's own unless opened; kept when not given.
    return { ...template, id, visibility: given?.visibility ?? before?.visibility ?? 'owner' };
  });
  fields.splice(0, fields.length, ...account, ...own);
}

export function isAccountCollection(collection: Collection): boolean {
  return collection.type === 'auth';
}
