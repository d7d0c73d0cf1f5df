import { createClient, localStorageStore, type CausewayError } from '@causeway/client';
import type { CollectionDefinition, Field, FieldType, FieldTypeInfo, IndexDefinition, ListPage } from '@causeway/wire';

/** Collections as the server serves them: the wire's definition. */
export type { CollectionDefinition };

type Options<F> = F extends unknown ? Omit<F, 'id' | 'name' | 'type' | 'default'> : never;
type Merged<U> = (U extends unknown ? (all: U) => void : never) extends (all: infer I) => void ? I : never;

/**
 * A field while it is edited: its type can change under options of another type (the server refuses or drops
 * those), so every type's options are allowed. Any served field is one.
 */
export type FieldDraft = { id?: string; name: string; type: FieldType; default?: unknown } & Partial<Merged<Options<Field>>>;

/** A collection while it is edited: new ones have no id yet, indexes may be unnamed. */
export type CollectionDraft = Omit<CollectionDefinition, 'id' | 'fields' | 'indexes' | 'created' | 'updated'> & {
  id?: string;
  fields: FieldDraft[];
  indexes?: (Omit<IndexDefinition, 'name' | 'unique'> & Partial<IndexDefinition>)[];
};

export const ruleNames = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;

/** The console is a client of the public API, like any other: same SDK, same endpoints. */
export const client = createClient(location.origin, { store: localStorageStore('causeway.console') });

export function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  return client.transport.request<T>(method, path, body === undefined ? {} : { body });
}

export const listCollections = () => request<ListPage<CollectionDefinition>>('GET', '/api/collections').then((r) => r.items);

/** Each field type's editor hints, by type (the console knows no field type itself). */
export type FieldTypes = ReadonlyMap<FieldType, FieldTypeInfo>;

export const listFieldTypes = (): Promise<FieldTypes> => request<{ items: FieldTypeInfo[] }>('GET', '/api/field-types').then((r) => new Map(r.items.map((info) => [info.type, info])));

/** Messages per field path from a server error (`fields.2.name`, `listRule`, `title`…). */
export function fieldErrors(error: unknown): Record<string, string> {
  const fields = (error as CausewayError | undefined)?.fields ?? {};
  return Object.fromEntries(Object.entries(fields).map(([key, issue]) => [key, issue.message]));
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
