import { CausewayError, isCausewayError, type FieldIssue } from '../errors/causeway-error.js';
import { parseFilter, resolveFilter } from '../query/index.js';
import { ruleKeys, type Collection } from '../schema/collection.js';
import type { SchemaLookup } from '../schema/schema-lookup.js';
import { declaredVariables } from './rule-variables.js';

/**
 * Checks every rule of a collection against the schema it will live in (itself included, for
 * self-relations): syntax, fields, operators and variable names, each failure with its position.
 */
export function checkRules(collection: Collection, schema: SchemaLookup): void {
  const lookup: SchemaLookup = { collection: (name) => (name === collection.name ? collection : schema.collection(name)) };
  const issues: Record<string, FieldIssue> = {};
  for (const key of ruleKeys) {
    const rule = collection[key];
    if (rule === null || rule.trim() === '') continue;
    try {
      resolveFilter(parseFilter(rule), collection, lookup, { variables: declaredVariables(collection) });
    } catch (error) {
      if (!isCausewayError(error) || error.code !== 'INVALID_FILTER') throw error;
      issues[key] = { code: 'invalid_rule', message: error.message, ...(error.position === undefined ? {} : { position: error.position }) };
    }
  }
  if (Object.keys(issues).length > 0) {
    const [first] = Object.entries(issues);
    throw new CausewayError('INVALID_SCHEMA', `The ${first![0]} is invalid: ${first![1].message}`, {
      fields: issues,
      ...(first![1].position === undefined ? {} : { position: first![1].position }),
    });
  }
}
