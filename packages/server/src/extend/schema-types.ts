import type { CausewayRecord } from '@causeway/core';

/**
 * What `causeway types` writes for each collection, as far as server code needs it: the record a read returns, and
 * the bodies a create and an update take. A generated `Schema` fits this shape.
 */
export interface CollectionTypes {
  record: object;
  create: object;
  update: object;
}

export type SchemaShape = { [collection: string]: CollectionTypes };

/** The schema when none is given: any collection name, records and bodies as plain objects. */
export type AnySchema = { [collection: string]: { record: CausewayRecord; create: Record<string, unknown>; update: Record<string, unknown> } };

export type CollectionName<S extends SchemaShape> = keyof S & string;
