import type { Field } from './field.js';

export interface IndexDefinition {
  name: string;
  /** Field names, in index order; `created` and `updated` are allowed too. */
  fields: string[];
  unique: boolean;
}

/** A collection as stored and served: the normalised form, every default filled in. */
export interface Collection {
  id: string;
  name: string;
  type: 'base';
  fields: Field[];
  indexes: IndexDefinition[];
  created: string;
  updated: string;
}

/** Columns every record has besides its declared fields. */
export const systemFields = ['id', 'created', 'updated'] as const;
export type SystemField = (typeof systemFields)[number];

export function isSystemField(name: string): name is SystemField {
  return (systemFields as readonly string[]).includes(name);
}

export function findField(collection: Collection, name: string): Field | undefined {
  return collection.fields.find((field) => field.name === name);
}
