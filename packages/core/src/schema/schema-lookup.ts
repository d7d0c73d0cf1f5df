import type { Collection } from './collection.js';

/** Read access to the current collections, by name. */
export interface SchemaLookup {
  collection(name: string): Collection | undefined;
}
