import { systemCaller, type Caller, type ListQuery, type ReadOptions, type RecordsService } from '@causeway/core';
import type { AnySchema, CollectionName, SchemaShape } from './schema-types.js';

/** A page of a list, typed by the collection. */
export interface TypedPage<R> {
  items: R[];
  nextCursor: string | null;
  prevCursor?: string | null;
  total?: number;
}

/**
 * The core records service for server code, acting as one caller: every read and write goes through the same
 * validation, rules, transaction and change log as the REST API. Typed by the `Schema` of `causeway types`.
 *
 * @example
 * const post = await records.create('posts', { title: 'Hello' });          // as this object's caller
 * await records.asAdmin().update('posts', post.id, { views: 0 });          // past every rule, on purpose
 */
export interface CausewayRecords<S extends SchemaShape = AnySchema> {
  /** Who the reads and writes are made as. */
  readonly caller: Caller;
  get<C extends CollectionName<S>>(collection: C, id: string, options?: ReadOptions): Promise<S[C]['record']>;
  list<C extends CollectionName<S>>(collection: C, query?: ListQuery): Promise<TypedPage<S[C]['record']>>;
  create<C extends CollectionName<S>>(collection: C, data: S[C]['create']): Promise<S[C]['record']>;
  update<C extends CollectionName<S>>(collection: C, id: string, data: S[C]['update']): Promise<S[C]['record']>;
  delete<C extends CollectionName<S>>(collection: C, id: string): Promise<void>;
  /** The same service acting as `caller` (a request's, or one from `authenticate`). */
  as(caller: Caller): CausewayRecords<S>;
  /**
   * The same service acting as Causeway itself: every rule passes and read-only fields may be set. Nothing gets
   * this by default; server code asks for it where it means it.
   */
  asAdmin(): CausewayRecords<S>;
}

/** `service` acting as `caller`. */
export function causewayRecords<S extends SchemaShape = AnySchema>(service: RecordsService, caller: Caller): CausewayRecords<S> {
  return {
    caller,
    get: async (collection, id, options) => (await service.get(caller, collection, id, options)).record as never,
    list: async (collection, query) => (await service.list(caller, collection, query)) as never,
    create: async (collection, data) => (await service.create(caller, collection, data)).record as never,
    update: async (collection, id, data) => (await service.update(caller, collection, id, data)).record as never,
    delete: async (collection, id) => {
      await service.delete(caller, collection, id);
    },
    as: (other) => causewayRecords<S>(service, other),
    asAdmin: () => causewayRecords<S>(service, systemCaller),
  };
}
