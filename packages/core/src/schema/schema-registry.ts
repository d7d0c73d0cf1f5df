import type { Collection } from './collection.js';
import type { RelationField } from './field.js';
import type { SchemaLookup } from './schema-lookup.js';

export interface RelationReference {
  collection: Collection;
  field: RelationField;
}

/**
 * The collections in force, held in memory and replaced whole on every schema change,
 * so a request sees either the old schema or the new one, never a mix.
 */
export class SchemaRegistry implements SchemaLookup {
  private byName = new Map<string, Collection>();
  private generationInForce = '';
  private replaced = 0;
  private listeners = new Set<() => void>();

  constructor(collections: readonly Collection[] = []) {
    this.replace(collections, '');
  }

  /** The stored schema generation these collections were loaded at (see schema-generation.ts). */
  get generation(): string {
    return this.generationInForce;
  }

  /** Counts replacements, so a slow re-read can tell that a newer schema arrived while it was reading. */
  get revision(): number {
    return this.replaced;
  }

  collection(name: string): Collection | undefined {
    return this.byName.get(name);
  }

  list(): Collection[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Relation fields of any collection that point at `target`. */
  referencesTo(target: string): RelationReference[] {
    const references: RelationReference[] = [];
    for (const collection of this.byName.values()) {
      for (const field of collection.fields) {
        if (field.type === 'relation' && field.collection === target) references.push({ collection, field });
      }
    }
    return references;
  }

  replace(collections: readonly Collection[], generation: string): void {
    this.byName = new Map(collections.map((c) => [c.name, Object.freeze(c)]));
    this.generationInForce = generation;
    this.replaced += 1;
    for (const listener of this.listeners) listener();
  }

  /** Tells `listener` after each change (the OpenAPI document, later the GraphQL schema, rebuild on it). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
