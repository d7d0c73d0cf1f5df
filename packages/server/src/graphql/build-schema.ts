import DataLoader from 'dataloader';
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLScalarType,
  type SelectionNode,
} from 'graphql';
import {
  CausewayError,
  fileKey,
  fieldTypeOf,
  fileNames,
  fileTypeOf,
  maxPageSize,
  isRestricted,
  readersOf,
  versionTag,
  type Caller,
  type CausewayRecord,
  type Collection,
  type Field,
  type FileStorage,
  type FilterNode,
  type GraphQLScalarKind,
  type HubMessage,
  type Subscriber,
  type ListQuery,
  type RealtimeHub,
  type RecordsService,
  type RelationField,
  type VersionedRecord,
} from '@causeway/core';
import { guarded, toGraphQLError } from './errors.js';
import { backRelationName, enumValueNames, typeName } from './names.js';
import { dateScalar, dateTimeScalar, jsonScalar } from './scalars.js';
import { allOf, holdsNode, idsNode, whereNode, type WhereInput } from './where-filter.js';

/** Per-request state: who asks, and the batching loaders that keep relations to a constant number of queries. */
export interface GraphQLContext extends Record<PropertyKey, unknown> {
  caller: Caller;
  records: RecordsService;
  hub: RealtimeHub;
  loaders: Map<string, DataLoader<string, CausewayRecord | null>>;
  /** The version tag of each record this request resolved, for the `version` field: read with the record, never queried. */
  versions: WeakMap<CausewayRecord, string>;
  /** Over graphql-ws: the connection's unsent-bytes limit, which subscriptions' queued events count against. */
  backlog?: Backlog;
  /** Where files live, for `File.size` (a storage lookup, made only when a query asks for it). */
  files?: FileStorage;
}

/** Closes a connection (4008) when what waits to be sent to it, including `queued` bytes, passes its limit. */
export interface Backlog {
  overflows(queued: number): boolean;
}

export function newContext(caller: Caller, records: RecordsService, hub: RealtimeHub, backlog?: Backlog, files?: FileStorage): GraphQLContext {
  const context: GraphQLContext = { caller, records, hub, loaders: new Map(), versions: new WeakMap() };
  if (backlog) context.backlog = backlog;
  if (files) context.files = files;
  return context;
}

/** Records of `collection` by id, batched per request and judged by the view rule (null when hidden). */
function loaderFor(context: GraphQLContext, collection: string): DataLoader<string, CausewayRecord | null> {
  let loader = context.loaders.get(collection);
  if (!loader) {
    loader = new DataLoader(async (ids: readonly string[]) => {
      const found = await context.records.getMany(context.caller, collection, ids);
      return ids.map((id) => {
        const versioned = found.get(id);
        return versioned ? withVersion(context, versioned) : null;
      });
    });
    context.loaders.set(collection, loader);
  }
  return loader;
}

/** The record, its version noted for the `version` field. */
function withVersion(context: GraphQLContext, versioned: VersionedRecord): CausewayRecord {
  context.versions.set(versioned.record, versionTag(versioned));
  return versioned.record;
}

const nonNull = <T extends GraphQLOutputType | GraphQLInputType>(type: T) => new GraphQLNonNull(type);
const listOf = <T extends GraphQLOutputType | GraphQLInputType>(type: T) => new GraphQLList(nonNull(type));

const sortDirection = new GraphQLEnumType({ name: 'SortDirection', values: { ASC: { value: 'ASC' }, DESC: { value: 'DESC' } } });
const changeOp = new GraphQLEnumType({
  name: 'ChangeOp',
  description: 'What a change means for this subscriber: entered its view, changed within it, or left it.',
  values: { insert: { value: 'insert' }, update: { value: 'update' }, remove: { value: 'remove' } },
});
const pageInfo = new GraphQLObjectType({
  name: 'PageInfo',
  description: 'Relay page info. `hasPreviousPage` after `after` and `hasNextPage` before `before` are exact (one more single-row query when asked for); both are false on an empty page.',
  fields: {
    hasNextPage: { type: nonNull(GraphQLBoolean) },
    hasPreviousPage: { type: nonNull(GraphQLBoolean) },
    startCursor: { type: GraphQLString },
    endCursor: { type: GraphQLString },
  },
});
/** A stored file as GraphQL returns it (file fields hold names; uploads go through REST's multipart/form-data). */
interface FileValue {
  name: string;
  collection: string;
  collectionId: string;
  recordId: string;
}
const fileObject = new GraphQLObjectType<FileValue, GraphQLContext>({
  name: 'File',
  description: 'A file of a file field. Upload files with REST (multipart/form-data); protected files need `?token=` from POST /api/files/token.',
  fields: {
    name: { type: nonNull(GraphQLString), description: 'The stored name (what filters and updates use).' },
    type: { type: nonNull(GraphQLString), description: 'MIME type, sniffed from the content at upload.', resolve: (file) => fileTypeOf(file.name) },
    size: {
      type: GraphQLFloat,
      description: 'Bytes (a storage lookup per file: ask for it only when needed); null when the file is missing.',
      resolve: async (file, _args, context) => (await context.files?.stat(fileKey(file.collectionId, file.recordId, file.name)))?.size ?? null,
    },
    url: {
      type: nonNull(GraphQLString),
      description: 'Path of the download, relative to the server.',
      resolve: (file) => `/api/files/${encodeURIComponent(file.collection)}/${encodeURIComponent(file.recordId)}/${file.name}`,
    },
  },
});

const deletePayload = new GraphQLObjectType({
  name: 'DeletePayload',
  fields: { id: { type: nonNull(GraphQLID) }, seq: { type: nonNull(GraphQLInt), description: 'Change-log position of the delete.' } },
});

/** Filter inputs per scalar, shared by every collection: the operators of the filter language. */
function scalarFilter(name: string, type: GraphQLInputType, options: { ordered: boolean; contains: boolean }): GraphQLInputObjectType {
  const fields: GraphQLInputFieldConfigMap = { eq: { type }, ne: { type }, in: { type: listOf(type) }, isNull: { type: GraphQLBoolean } };
  if (options.ordered) Object.assign(fields, { gt: { type }, gte: { type }, lt: { type }, lte: { type } });
  if (options.contains) Object.assign(fields, { contains: { type: GraphQLString, description: 'Case-insensitive substring (`~`).' }, notContains: { type: GraphQLString } });
  return new GraphQLInputObjectType({ name, fields });
}

function listFilter(name: string, element: GraphQLInputType): GraphQLInputObjectType {
  return new GraphQLInputObjectType({ name, fields: { has: { type: element, description: 'The list holds this value (`~`).' }, hasNot: { type: element }, isNull: { type: GraphQLBoolean } } });
}

const filters = {
  string: scalarFilter('StringFilter', GraphQLString, { ordered: true, contains: true }),
  id: scalarFilter('IDFilter', GraphQLID, { ordered: true, contains: true }),
  int: scalarFilter('IntFilter', GraphQLInt, { ordered: true, contains: false }),
  float: scalarFilter('FloatFilter', GraphQLFloat, { ordered: true, contains: false }),
  boolean: new GraphQLInputObjectType({ name: 'BooleanFilter', fields: { eq: { type: GraphQLBoolean }, ne: { type: GraphQLBoolean }, isNull: { type: GraphQLBoolean } } }),
  date: scalarFilter('DateFilter', dateScalar, { ordered: true, contains: true }),
  dateTime: scalarFilter('DateTimeFilter', dateTimeScalar, { ordered: true, contains: true }),
  json: new GraphQLInputObjectType({ name: 'JSONFilter', fields: { isNull: { type: GraphQLBoolean } } }),
  relation: scalarFilter('RelationFilter', GraphQLID, { ordered: false, contains: false }),
  ids: listFilter('IDListFilter', GraphQLID),
  strings: listFilter('StringListFilter', GraphQLString),
};

/** The GraphQL type of each scalar kind the core describes fields with. */
const scalars: Record<GraphQLScalarKind, GraphQLScalarType> = {
  string: GraphQLString,
  int: GraphQLInt,
  float: GraphQLFloat,
  boolean: GraphQLBoolean,
  date: dateScalar,
  dateTime: dateTimeScalar,
  json: jsonScalar,
};

/** The `where` filter of each scalar kind. */
const scalarFilters: Record<GraphQLScalarKind, GraphQLInputObjectType> = {
  string: filters.string,
  int: filters.int,
  float: filters.float,
  boolean: filters.boolean,
  date: filters.date,
  dateTime: filters.dateTime,
  json: filters.json,
};

/** Builds the GraphQL schema of the collections. Pure: called again whenever the collections change. */
export function buildGraphQLSchema(collections: readonly Collection[]): GraphQLSchema {
  const byName = new Map(collections.map((c) => [c.name, c]));
  const enums = new Map<string, GraphQLEnumType | undefined>();
  const recordTypes = new Map<string, GraphQLObjectType>();
  const connectionTypes = new Map<string, GraphQLObjectType>();
  const whereTypes = new Map<string, GraphQLInputObjectType>();
  const orderTypes = new Map<string, GraphQLInputObjectType>();
  const enumFilters = new Map<string, GraphQLInputObjectType>();

  const visible = (collection: Collection) => collection.fields.filter((f) => !f.hidden);

  /** An enum of the field's values, or undefined when some value is not a GraphQL name (then strings). */
  const valuesEnum = (collection: Collection, field: Field, values: readonly string[]): GraphQLEnumType | undefined => {
    const key = `${collection.name}.${field.name}`;
    if (!enums.has(key)) {
      const names = enumValueNames(values);
      enums.set(key, names && new GraphQLEnumType({
        name: `${typeName(collection)}${typeName(field.name)}`,
        values: Object.fromEntries([...names].map(([value, name]) => [name, { value }])),
      }));
    }
    return enums.get(key);
  };

  /** The value type of a field as its type describes it (a relation's and a file's values: ids and names). */
  const valueType = (collection: Collection, field: Field): GraphQLOutputType & GraphQLInputType => {
    const shape = fieldTypeOf(field).graphql(field);
    const element =
      shape.kind === 'scalar' ? scalars[shape.scalar]
      : shape.kind === 'enum' ? (valuesEnum(collection, field, shape.values) ?? GraphQLString)
      : shape.kind === 'reference' ? GraphQLID
      : GraphQLString;
    return shape.list ? listOf(element) : element;
  };

  /** The `where` input of a field: the filters its shape allows (an enum's own, generated once per enum). */
  const fieldFilter = (collection: Collection, field: Field): GraphQLInputObjectType => {
    const shape = fieldTypeOf(field).graphql(field);
    if (shape.kind === 'reference') return shape.list ? filters.ids : filters.relation;
    if (shape.kind === 'enum') {
      const element = valuesEnum(collection, field, shape.values);
      if (element) {
        const name = `${element.name}${shape.list ? 'List' : ''}Filter`;
        if (!enumFilters.has(name)) enumFilters.set(name, shape.list ? listFilter(name, element) : scalarFilter(name, element, { ordered: true, contains: false }));
        return enumFilters.get(name)!;
      }
    }
    if (shape.list) return filters.strings;
    return shape.kind === 'scalar' ? scalarFilters[shape.scalar] : filters.string;
  };

  const whereType = (collection: Collection): GraphQLInputObjectType => {
    let type = whereTypes.get(collection.name);
    if (!type) {
      const self: GraphQLInputObjectType = new GraphQLInputObjectType({
        name: `${typeName(collection)}Where`,
        fields: () => ({
          id: { type: filters.id },
          created: { type: filters.dateTime },
          updated: { type: filters.dateTime },
          ...Object.fromEntries(visible(collection).map((f) => [f.name, { type: fieldFilter(collection, f) }])),
          AND: { type: listOf(self) },
          OR: { type: listOf(self) },
          NOT: { type: self },
        }),
      });
      whereTypes.set(collection.name, (type = self));
    }
    return type;
  };

  const orderType = (collection: Collection): GraphQLInputObjectType => {
    let type = orderTypes.get(collection.name);
    if (!type) {
      const sortable = ['id', 'created', 'updated', ...visible(collection).filter((f) => fieldTypeOf(f).sortable(f)).map((f) => f.name)];
      const field = new GraphQLEnumType({ name: `${typeName(collection)}SortField`, values: Object.fromEntries(sortable.map((name) => [name, { value: name }])) });
      type = new GraphQLInputObjectType({ name: `${typeName(collection)}OrderBy`, fields: { field: { type: nonNull(field) }, direction: { type: sortDirection, defaultValue: 'ASC' } } });
      orderTypes.set(collection.name, type);
    }
    return type;
  };

  const listArgs = (collection: Collection) => ({
    where: { type: whereType(collection) },
    filter: { type: GraphQLString, description: 'A filter in the Causeway filter language, and-ed with `where`.' },
    orderBy: { type: listOf(orderType(collection)) },
    first: { type: GraphQLInt, description: `The first records of the window: page size, 1 to ${maxPageSize} (default 30). Not with \`last\`.` },
    after: { type: GraphQLString, description: 'An `endCursor` or edge `cursor`: only records after it.' },
    last: { type: GraphQLInt, description: `The last records of the window (paging backward): page size, 1 to ${maxPageSize}. Not with \`first\`.` },
    before: { type: GraphQLString, description: 'A `startCursor` or edge `cursor`: only records before it.' },
  });

  type ListArgs = {
    where?: WhereInput | null;
    filter?: string | null;
    orderBy?: { field: string; direction: 'ASC' | 'DESC' }[] | null;
    first?: number | null;
    after?: string | null;
    last?: number | null;
    before?: string | null;
  };

  const toListQuery = (args: ListArgs, info: GraphQLResolveInfo, scope?: FilterNode): ListQuery => {
    const where = allOf([whereNode(args.where), scope]);
    const filter = args.filter?.trim() ? args.filter : undefined;
    const selections = info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []);
    // Fragments are not followed: where one appears, assume it selects what is asked about.
    const within = (path: readonly string[], from: readonly SelectionNode[] = selections): boolean =>
      from.some((s) => s.kind !== 'Field' || (s.name.value === path[0] && (path.length === 1 || within(path.slice(1), s.selectionSet?.selections ?? []))));
    const first = args.first ?? undefined;
    const last = args.last ?? undefined;
    // Relay allows both; the page they mean (the last `last` of the first `first`) is rarely what a client wants.
    if (first !== undefined && last !== undefined) throw new CausewayError('INVALID_QUERY', 'Give `first` or `last`, not both.');
    const backward = last !== undefined;
    const limit = backward ? last : first;
    return {
      ...(filter ? { filter } : {}),
      ...(where ? { where } : {}),
      ...(args.orderBy?.length ? { sort: args.orderBy.map((o) => (o.direction === 'DESC' ? `-${o.field}` : o.field)).join(',') } : {}),
      ...(limit === undefined ? {} : { limit }),
      ...(args.after ? { after: args.after } : {}),
      ...(args.before ? { before: args.before } : {}),
      ...(backward ? { backward } : {}),
      // Whether records precede a forward page costs a query: asked only when the client asks.
      ...(!backward && within(['pageInfo', 'hasPreviousPage']) ? { bothEnds: true } : {}),
      count: within(['totalCount']),
      // Cursors cost an encoding per record: made only when an edge cursor or a page cursor is asked for.
      cursors: within(['edges', 'cursor']) || within(['pageInfo', 'endCursor']) || within(['pageInfo', 'startCursor']),
      versions: within(['edges', 'node', 'version']),
    };
  };

  const listPage = async (context: GraphQLContext, collection: Collection, query: ListQuery) => {
    const page = await context.records.list(context.caller, collection.name, query);
    if (page.versions) page.items.forEach((item, i) => context.versions.set(item, page.versions![i]!));
    return {
      edges: page.items.map((node, i) => ({ node, cursor: page.cursors?.[i] ?? '' })),
      pageInfo: {
        hasNextPage: page.nextCursor !== null,
        hasPreviousPage: (page.prevCursor ?? null) !== null,
        startCursor: page.cursors?.[0] ?? null,
        endCursor: page.cursors?.at(-1) ?? null,
      },
      totalCount: page.total ?? null,
    };
  };

  const connectionType = (collection: Collection): GraphQLObjectType => {
    let type = connectionTypes.get(collection.name);
    if (!type) {
      const edge = new GraphQLObjectType({ name: `${typeName(collection)}Edge`, fields: () => ({ node: { type: nonNull(recordType(collection)) }, cursor: { type: nonNull(GraphQLString) } }) });
      type = new GraphQLObjectType({
        name: `${typeName(collection)}Connection`,
        fields: () => ({
          edges: { type: nonNull(listOf(edge)) },
          pageInfo: { type: nonNull(pageInfo) },
          totalCount: { type: GraphQLInt, description: 'Records matching, under your rules (counted only when asked for).' },
        }),
      });
      connectionTypes.set(collection.name, type);
    }
    return type;
  };

  const relationField = (field: RelationField, target: Collection): GraphQLFieldConfig<CausewayRecord, GraphQLContext, ListArgs> => {
    if (!field.multiple) {
      return {
        type: recordType(target),
        description: `The related '${target.name}' record (null when there is none or you may not view it).`,
        // Not async: one of these runs per parent, and an extra promise each is measurable.
        resolve: (record, _args, context) => (typeof record[field.name] === 'string' ? loaderFor(context, target.name).load(record[field.name] as string).catch(rethrow) : null),
      };
    }
    return {
      type: nonNull(connectionType(target)),
      description: `The related '${target.name}' records you may view. Without arguments they load in one batch for every parent; with arguments, one query per parent.`,
      args: listArgs(target),
      resolve: (record, args, context, info) =>
        guarded(async () => {
          const ids = Array.isArray(record[field.name]) ? (record[field.name] as string[]) : [];
          const paged = args.after || args.before || (args.last ?? undefined) !== undefined;
          const plain = !args.where && !args.filter && !args.orderBy?.length && !paged && (args.first ?? maxPageSize) >= ids.length;
          if (plain) {
            const nodes = (await loaderFor(context, target.name).loadMany(ids)).filter((r): r is CausewayRecord => r !== null && !(r instanceof Error));
            return { edges: nodes.map((node) => ({ node, cursor: '' })), pageInfo: onePage, totalCount: nodes.length };
          }
          if (ids.length === 0) return { edges: [], pageInfo: onePage, totalCount: 0 };
          return listPage(context, target, toListQuery(args, info, idsNode(ids)));
        }),
    };
  };

  function recordType(collection: Collection): GraphQLObjectType {
    let type = recordTypes.get(collection.name);
    if (type) return type;
    type = new GraphQLObjectType({
      name: typeName(collection),
      description: `A record of '${collection.name}'.`,
      fields: () => {
        const fields: GraphQLFieldConfigMap<CausewayRecord, GraphQLContext> = {
          id: { type: nonNull(GraphQLID) },
          created: { type: nonNull(dateTimeScalar) },
          updated: { type: nonNull(dateTimeScalar) },
          version: {
            type: nonNull(GraphQLString),
            description: 'The version to pass as `ifMatch` (the REST ETag without its quotes); it changes with every write.',
            resolve: (record, _args, context) => versionOf(context, record),
          },
        };
        for (const field of visible(collection)) {
          const restricted = isRestricted(collection, field);
          const readers = restricted ? { description: `${readersOf(collection, field)} Null for others.` } : {};
          const shape = fieldTypeOf(field).graphql(field);
          if (shape.kind === 'reference') {
            const target = byName.get(shape.collection);
            if (!target) continue;
            fields[field.name] = relationField(field as RelationField, target) as GraphQLFieldConfig<CausewayRecord, GraphQLContext>;
            const raw = `${field.name}${shape.list ? 'Ids' : 'Id'}`;
            const ids = shape.list && !restricted ? nonNull(listOf(GraphQLID)) : shape.list ? listOf(GraphQLID) : GraphQLID;
            if (!collection.fields.some((f) => f.name === raw)) fields[raw] = { type: ids, ...readers, resolve: (record) => record[field.name] };
          } else if (shape.kind === 'file') {
            const files = (record: CausewayRecord): FileValue[] =>
              fileNames(record[field.name]).map((name) => ({ name, collection: collection.name, collectionId: collection.id, recordId: record.id }));
            // A field this caller may not read is absent from the record: null, like any restricted field.
            fields[field.name] = shape.list
              ? { type: restricted ? listOf(fileObject) : nonNull(listOf(fileObject)), ...readers, resolve: (record) => (field.name in record ? files(record) : null) }
              : { type: field.required && !restricted ? nonNull(fileObject) : fileObject, ...readers, resolve: (record) => files(record)[0] ?? null };
          } else {
            const value = valueType(collection, field);
            // One schema serves every caller: a field some may not read is nullable, and null for them.
            const always = !restricted && (field.required || shape.list);
            fields[field.name] = { type: always ? nonNull(value) : value, ...readers };
          }
        }
        // Back-relations: records elsewhere whose relation points here (one query per parent).
        for (const other of collections) {
          for (const field of visible(other)) {
            if (field.type !== 'relation' || field.collection !== collection.name) continue;
            const name = backRelationName(other, field.name);
            if (fields[name]) continue;
            fields[name] = {
              type: nonNull(connectionType(other)),
              description: `'${other.name}' records whose '${field.name}' points at this record.`,
              args: listArgs(other),
              resolve: (record, args, context, info) =>
                guarded(() => listPage(context, other, toListQuery(args as ListArgs, info, holdsNode(field.name, field.multiple, record.id)))),
            };
          }
        }
        return fields;
      },
    });
    recordTypes.set(collection.name, type);
    return type;
  }

  const inputType = (collection: Collection, mode: 'Create' | 'Update'): GraphQLInputObjectType =>
    new GraphQLInputObjectType({
      name: `${typeName(collection)}${mode}Input`,
      fields: () => {
        const fields: GraphQLInputFieldConfigMap = mode === 'Create' ? { id: { type: GraphQLID, description: 'Optional: your own id.' } } : {};
        for (const field of visible(collection)) {
          const base: GraphQLInputType = valueType(collection, field);
          const required = mode === 'Create' && field.required && !field.readOnly && !('default' in field && field.default !== undefined);
          fields[field.name] = { type: required ? nonNull(base) : base, ...(field.readOnly ? { description: 'Admins only.' } : {}) };
        }
        return fields;
      },
    });

  const query: GraphQLFieldConfigMap<unknown, GraphQLContext> = {};
  const mutation: GraphQLFieldConfigMap<unknown, GraphQLContext> = {};
  const subscription: GraphQLFieldConfigMap<unknown, GraphQLContext> = {};
  for (const collection of collections) {
    const record = recordType(collection);
    query[collection.name] = {
      type: nonNull(connectionType(collection)),
      description: `List '${collection.name}' under its list rule.`,
      args: listArgs(collection),
      resolve: (_root, args, context, info) => guarded(() => listPage(context, collection, toListQuery(args as ListArgs, info))),
    };
    query[`${collection.name}ById`] = {
      type: record,
      description: 'One record, or null when it does not exist or you may not view it.',
      args: { id: { type: nonNull(GraphQLID) } },
      resolve: (_root, args: { id: string }, context) => guarded(() => loaderFor(context, collection.name).load(args.id)),
    };
    const name = typeName(collection);
    const create = inputType(collection, 'Create');
    const update = inputType(collection, 'Update');
    mutation[`create${name}`] = {
      type: nonNull(record),
      args: { data: { type: nonNull(create) } },
      resolve: (_root, args: { data: Record<string, unknown> }, context) => guarded(async () => withVersion(context, await context.records.create(context.caller, collection.name, { ...args.data }))),
    };
    mutation[`update${name}`] = {
      type: nonNull(record),
      args: { id: { type: nonNull(GraphQLID) }, data: { type: nonNull(update) }, ifMatch: { type: GraphQLString, description: 'The `version` you last read; fails with PRECONDITION_FAILED if the record changed since.' } },
      resolve: (_root, args: { id: string; data: Record<string, unknown>; ifMatch?: string | null }, context) =>
        guarded(async () => withVersion(context, await context.records.update(context.caller, collection.name, args.id, { ...args.data }, args.ifMatch ? { ifMatch: args.ifMatch } : {}))),
    };
    mutation[`delete${name}`] = {
      type: nonNull(deletePayload),
      args: { id: { type: nonNull(GraphQLID) }, ifMatch: { type: GraphQLString, description: 'The `version` you last read; fails with PRECONDITION_FAILED if the record changed since.' } },
      resolve: (_root, args: { id: string; ifMatch?: string | null }, context) =>
        guarded(async () => ({ id: args.id, ...(await context.records.delete(context.caller, collection.name, args.id, args.ifMatch ? { ifMatch: args.ifMatch } : {})) })),
    };
    const change = new GraphQLObjectType({
      name: `${name}Change`,
      fields: { op: { type: nonNull(changeOp) }, seq: { type: nonNull(GraphQLInt) }, record: { type: nonNull(record) } },
    });
    subscription[`${collection.name}Changes`] = {
      type: nonNull(change),
      description: `Changes to '${collection.name}' records you may list (and that match), in commit order.`,
      args: { where: { type: whereType(collection) }, filter: { type: GraphQLString } },
      subscribe: (_root, args: { where?: WhereInput | null; filter?: string | null }, context) => changesOf(context, collection.name, args.filter?.trim() ? args.filter : undefined, whereNode(args.where)),
      resolve: changeOrEnd,
    };
  }

  const placeholder = { _empty: { type: GraphQLBoolean, description: 'There are no collections yet.', resolve: () => null } };
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: Object.keys(query).length > 0 ? query : placeholder }),
    ...(collections.length > 0 ? { mutation: new GraphQLObjectType({ name: 'Mutation', fields: mutation }) } : {}),
    ...(collections.length > 0 ? { subscription: new GraphQLObjectType({ name: 'Subscription', fields: subscription }) } : {}),
  });
}

/** The first and only page: what a relation read whole reports. */
const onePage = { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null };

/** A record's version tag, as noted when it was read or written. */
function versionOf(context: GraphQLContext, record: CausewayRecord): string {
  const version = context.versions.get(record);
  // Every path that yields a record notes its version; a record without one is a bug here, not the client's.
  if (version === undefined) throw new Error(`No version was noted for record '${record.id}'.`);
  return version;
}

function rethrow(error: unknown): never {
  throw toGraphQLError(error);
}

type ChangePayload = { op: string; seq: number; record: CausewayRecord };
/** What the subscription's iterator yields: a change, or the end the hub decided (rules or schema changed). */
type ChangeItem = ChangePayload | { ended: CausewayError };

/** The field's value for one item: the change, or the error the subscription ended with (then it completes). */
function changeOrEnd(item: unknown): ChangePayload {
  if (typeof item === 'object' && item !== null && 'ended' in item) throw toGraphQLError((item as { ended: CausewayError }).ended);
  return item as ChangePayload;
}

/** A realtime hub subscription as the async iterator graphql-js subscriptions expect. */
async function changesOf(context: GraphQLContext, collection: string, filter: string | undefined, where: FilterNode | undefined): Promise<AsyncIterableIterator<ChangeItem>> {
  const queue: { item: ChangeItem; bytes: number }[] = [];
  // Bytes of the events waiting here: graphql-ws sends one at a time and waits for each to reach the network,
  // so for a client that stops reading they pile up here rather than in the socket.
  let queued = 0;
  let wake: (() => void) | undefined;
  let done = false;
  const subscriber: Subscriber = {
    caller: context.caller,
    deliver(message: HubMessage) {
      if (message.type !== 'event' || done) return;
      // Only a consumer already behind pays for measuring what it has waiting.
      const bytes = queue.length > 0 && context.backlog ? JSON.stringify(message.record).length + 64 : 0;
      if (bytes > 0 && context.backlog!.overflows(queued + bytes)) {
        // The connection is closing (4008): drop what waits; its close ends the subscription at the hub.
        done = true;
        queue.length = 0;
        queued = 0;
        wake?.();
        return;
      }
      queued += bytes;
      if (message.version !== undefined) context.versions.set(message.record, message.version);
      queue.push({ item: { op: message.op, seq: message.seq, record: message.record }, bytes });
      wake?.();
    },
    ended(_subscription, _reason, error) {
      queue.push({ item: { ended: error }, bytes: 0 });
      done = true;
      wake?.();
    },
  };
  const subscription = await guarded(() => context.hub.subscribe(subscriber, 'graphql', { kind: 'collection', collection, filter, where }));
  const finish = () => {
    done = true;
    context.hub.unsubscribe(subscription);
    wake?.();
  };
  const iterator: AsyncIterableIterator<ChangeItem> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    async next() {
      while (queue.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
      const next = queue.shift();
      if (next) {
        queued -= next.bytes;
        return { value: next.item, done: false };
      }
      return { value: undefined, done: true };
    },
    async return() {
      finish();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      finish();
      throw error;
    },
  };
  return iterator;
}
