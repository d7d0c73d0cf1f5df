import { createClient, localStorageStore, type CausewayError } from '@causeway/client';

/** Field definitions as the server returns them (the console edits them as plain data). */
export interface FieldDefinition {
  id?: string;
  name: string;
  type: string;
  required?: boolean;
  unique?: boolean;
  hidden?: boolean;
  readOnly?: boolean;
  values?: string[];
  multiple?: boolean;
  collection?: string;
  [option: string]: unknown;
}

export interface CollectionDefinition {
  id?: string;
  name: string;
  type: 'base' | 'auth';
  fields: FieldDefinition[];
  indexes?: unknown[];
  listRule: string | null;
  viewRule: string | null;
  createRule: string | null;
  updateRule: string | null;
  deleteRule: string | null;
}

export const ruleNames = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;

/** The console is a client of the public API, like any other: same SDK, same endpoints. */
export const client = createClient(location.origin, { store: localStorageStore('causeway.console') });

export function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  return client.transport.request<T>(method, path, body === undefined ? {} : { body });
}

export const listCollections = () => request<{ items: CollectionDefinition[] }>('GET', '/api/collections').then((r) => r.items);

/** Messages per field path from a server error (`fields.2.name`, `listRule`, `title`…). */
export function fieldErrors(error: unknown): Record<string, string> {
  const fields = (error as CausewayError | undefined)?.fields ?? {};
  return Object.fromEntries(Object.entries(fields).map(([key, issue]) => [key, issue.message]));
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
