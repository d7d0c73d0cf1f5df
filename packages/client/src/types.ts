import type { ListPage } from '@causeway/wire';
import type { Filter } from './filter.js';
import type { FilterText } from './filter-text.js';
import type { SortText } from './sort-text.js';

export type { FilterText } from './filter-text.js';
export type { SortTerm, SortText } from './sort-text.js';

/** What every record has. */
export interface BaseRecord {
  id: string;
  created: string;
  updated: string;
}

/**
 * One collection's types, as `causeway types` generates them: the record as returned, the create and update
 * inputs, and each relation field's target collection (with `true` in `multiple` for to-many ones).
 */
export interface CollectionTypes {
  record: BaseRecord;
  create: object;
  update: object;
  relations: Record<string, string>;
  multiple: Record<string, boolean>;
}

/** A whole schema: collection name → its types. */
export type SchemaTypes = Record<string, CollectionTypes>;

/** Used when no generated schema is given: any collection, any fields. */
export interface UntypedCollection extends CollectionTypes {
  record: BaseRecord & Record<string, unknown>;
  create: Record<string, unknown>;
  update: Record<string, unknown>;
  relations: Record<string, string>;
  multiple: Record<string, boolean>;
}
export type UntypedSchema = Record<string, UntypedCollection>;

export type CollectionName<S extends SchemaTypes> = keyof S & string;
export type RecordOf<S extends SchemaTypes, N extends CollectionName<S>> = S[N]['record'];
export type FieldOf<S extends SchemaTypes, N extends CollectionName<S>> = keyof RecordOf<S, N> & string;
export type RelationOf<S extends SchemaTypes, N extends CollectionName<S>> = keyof S[N]['relations'] & string;

/** Fields a list can be sorted by: not lists, not JSON (the server refuses those), hidden ones are not in the record. */
export type SortableField<S extends SchemaTypes, N extends CollectionName<S>> = string extends FieldOf<S, N>
  ? string
  : { [K in FieldOf<S, N>]: RecordOf<S, N>[K] extends readonly unknown[] ? never : unknown extends RecordOf<S, N>[K] ? never : K }[FieldOf<S, N>];

/**
 * A filter for collection `N`: literal text whose comparisons name only its fields (`FilterText`), any `string`,
 * or a `Filter` built from its fields with `filter.eq(…)` and friends.
 */
export type FilterOption<S extends SchemaTypes, N extends CollectionName<S>, W extends string> = FilterText<W, FieldOf<S, N>> | Filter<FieldOf<S, N>>;

type TargetOf<S extends SchemaTypes, N extends CollectionName<S>, R extends RelationOf<S, N>> = S[N]['relations'][R] extends CollectionName<S>
  ? RecordOf<S, S[N]['relations'][R]>
  : BaseRecord;

/** `expand` results: each expanded relation, one record or a list, absent when there was nothing to expand. */
export type Expanded<S extends SchemaTypes, N extends CollectionName<S>, E extends RelationOf<S, N>> = {
  expand?: { [K in E]?: S[N]['multiple'][K] extends true ? TargetOf<S, N, K>[] : TargetOf<S, N, K> };
};

/** A record as a read returns it: narrowed by `fields`, with `expand` when asked. */
export type Selected<S extends SchemaTypes, N extends CollectionName<S>, F extends FieldOf<S, N>, E extends RelationOf<S, N>> = ([F] extends [never]
  ? RecordOf<S, N>
  : Pick<RecordOf<S, N>, F>) &
  ([E] extends [never] ? unknown : Expanded<S, N, E>);

export interface ReadOptions<S extends SchemaTypes, N extends CollectionName<S>, F extends FieldOf<S, N>, E extends RelationOf<S, N>> {
  fields?: readonly F[];
  expand?: readonly E[];
}

/** Filter and sort of a list or live query; `W` and `O` are the literal filter and sort texts, checked. */
export interface QueryOptions<S extends SchemaTypes, N extends CollectionName<S>, W extends string, O extends string> {
  /** Filter text (see `filter` for safe building). */
  filter?: FilterOption<S, N, W>;
  /** `-created,title`: sortable fields, `-` for descending. */
  sort?: SortText<O, SortableField<S, N>>;
}

export interface ListOptions<S extends SchemaTypes, N extends CollectionName<S>, F extends FieldOf<S, N>, E extends RelationOf<S, N>, W extends string = string, O extends string = string>
  extends ReadOptions<S, N, F, E>,
    QueryOptions<S, N, W, O> {
  limit?: number;
  /** A `nextCursor`: the records after it. */
  after?: string;
  /** A `prevCursor`: the `limit` records before it (paging backward). */
  before?: string;
  count?: boolean;
}

/** A page of records (the wire's list page). */
export type ListResult<T> = ListPage<T>;
