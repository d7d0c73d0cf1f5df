import { isPrivileged, type Caller } from '../rules/caller.js';
import type { Collection } from '../schema/collection.js';
import type { Field, FieldVisibility } from '../schema/field.js';
import type { CausewayRecord } from './record.js';

/**
 * Who may read `field`: its `visibility`, else `everyone` — except an auth collection's `email`, which is the
 * account's own unless an admin opens it, so opening a `users` view rule does not publish every address
 * (collections stored before visibility existed get the same default).
 */
export function visibilityOf(collection: Collection, field: Field): FieldVisibility {
  return field.visibility ?? (collection.type === 'auth' && field.name === 'email' ? 'owner' : 'everyone');
}

/** Whether `caller` is the account `recordId` of the auth collection `collection`. */
function isOwner(caller: Caller, collection: Collection, recordId: unknown): boolean {
  return caller.kind === 'user' && collection.type === 'auth' && caller.collection === collection.name && caller.record.id === recordId;
}

/** Whether `caller` may read `field` of the record `recordId` (one it may view). Hidden fields: nobody. */
export function mayRead(caller: Caller, collection: Collection, field: Field, recordId: unknown): boolean {
  if (field.hidden) return false;
  const visibility = visibilityOf(collection, field);
  if (visibility === 'everyone' || isPrivileged(caller)) return true;
  return visibility === 'owner' && isOwner(caller, collection, recordId);
}

/**
 * Whether `caller` may name `field` in a filter or sort. Only if it may read the field on every record: a filter
 * or an order spans other records, so an owner-only field would otherwise tell its values to anyone who asks
 * (`email = "x"` → one row or none). Everyone else is answered as if the field did not exist.
 */
export function mayQuery(caller: Caller, collection: Collection, field: Field): boolean {
  if (field.hidden) return false;
  return isPrivileged(caller) || visibilityOf(collection, field) === 'everyone';
}

/** Whether some caller other than an admin cannot read `field` on some record (hidden, owner-only, admins-only). */
export function isRestricted(collection: Collection, field: Field): boolean {
  return field.hidden === true || visibilityOf(collection, field) !== 'everyone';
}

/** The fields of `record` that `caller` may not read (none: it may see the record as it is). */
export function withheldFields(collection: Collection, record: CausewayRecord, caller: Caller): Field[] {
  return collection.fields.filter((field) => Object.hasOwn(record, field.name) && !mayRead(caller, collection, field, record.id));
}

/** `record` without `withheld` (a copy when any is; the record is unchanged). */
export function withoutFields(record: CausewayRecord, withheld: readonly Field[]): CausewayRecord {
  if (withheld.length === 0) return record;
  const visible: CausewayRecord = { ...record };
  for (const field of withheld) delete visible[field.name];
  return visible;
}

/** A record as `caller` may see it: the fields it may not read removed (a copy when any is; the record is unchanged). */
export function visibleRecord(collection: Collection, record: CausewayRecord, caller: Caller): CausewayRecord {
  return withoutFields(record, withheldFields(collection, record, caller));
}

/** Who may read a restricted field, in words: for API descriptions (OpenAPI, GraphQL) and generated types. */
export function readersOf(collection: Collection, field: Field): string {
  if (field.hidden) return 'Nobody: never returned.';
  switch (visibilityOf(collection, field)) {
    case 'owner':
      return 'Readable by the account itself and admins only (visibility `owner`).';
    case 'admins':
      return 'Readable by admins only (visibility `admins`).';
    default:
      return 'Readable by everyone who may view the record.';
  }
}
