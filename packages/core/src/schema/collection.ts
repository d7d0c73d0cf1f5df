import type { CollectionDefinition, CollectionRules, Field, RuleAction, RuleKey } from '@causeway/wire';

export type { CollectionRules, CollectionType, IndexDefinition, RuleAction, RuleKey } from '@causeway/wire';

export const ruleActions = ['list', 'view', 'create', 'update', 'delete'] as const satisfies readonly RuleAction[];

export const ruleKeys: readonly RuleKey[] = ruleActions.map((action) => `${action}Rule` as const);

export const adminOnlyRules: CollectionRules = { listRule: null, viewRule: null, createRule: null, updateRule: null, deleteRule: null };

/** A collection as stored and served: the normalised form, every default filled in (the wire's definition). */
export type Collection = CollectionDefinition;

/** Columns every record has besides its declared fields. */
export const systemFields = ['id', 'created', 'updated'] as const;
export type SystemField = (typeof systemFields)[number];

export function isSystemField(name: string): name is SystemField {
  return (systemFields as readonly string[]).includes(name);
}

export function findField(collection: Collection, name: string): Field | undefined {
  return collection.fields.find((field) => field.name === name);
}
