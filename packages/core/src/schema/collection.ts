import type { Field } from './field.js';

export interface IndexDefinition {
  name: string;
  /** Field names, in index order; `created` and `updated` are allowed too. */
  fields: string[];
  unique: boolean;
}

/** `auth` collections hold accounts that can sign in: email, password hash and verification state. */
export type CollectionType = 'base' | 'auth';

export const ruleActions = ['list', 'view', 'create', 'update', 'delete'] as const;
export type RuleAction = (typeof ruleActions)[number];
export type RuleKey = `${RuleAction}Rule`;

/**
 * Who may do what, per action: `null` means admins only, `""` anyone, otherwise a filter expression
 * that must hold for the record (see docs/auth.md).
 */
export type CollectionRules = Record<RuleKey, string | null>;

export const ruleKeys: readonly RuleKey[] = ruleActions.map((action) => `${action}Rule` as const);

export const adminOnlyRules: CollectionRules = { listRule: null, viewRule: null, createRule: null, updateRule: null, deleteRule: null };

/** A collection as stored and served: the normalised form, every default filled in. */
export interface Collection extends CollectionRules {
  id: string;
  name: string;
  type: CollectionType;
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
