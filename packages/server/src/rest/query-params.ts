import { CausewayError, type ListQuery, type ReadOptions } from '@causeway/core';

type QueryString = Record<string, string | string[] | undefined>;

function single(query: QueryString, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new CausewayError('INVALID_QUERY', `'${name}' is given more than once`);
  return value;
}

function rejectUnknown(query: QueryString, allowed: readonly string[]): void {
  const unknown = Object.keys(query).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    throw new CausewayError('INVALID_QUERY', `unknown query parameter '${unknown}'; allowed: ${allowed.join(', ')}`);
  }
}

function commaList(query: QueryString, name: string): string[] | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? items : undefined;
}

export function parseBoolean(query: QueryString, name: string): boolean | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new CausewayError('INVALID_QUERY', `'${name}' must be true or false`);
}

function readOptions(query: QueryString): ReadOptions {
  const options: ReadOptions = {};
  const fields = commaList(query, 'fields');
  const expand = commaList(query, 'expand');
  if (fields) options.fields = fields;
  if (expand) options.expand = expand;
  return options;
}

export function parseListQuery(query: QueryString): ListQuery {
  rejectUnknown(query, ['filter', 'sort', 'limit', 'after', 'before', 'count', 'fields', 'expand']);
  const list: ListQuery = readOptions(query);
  const filter = single(query, 'filter');
  const sort = single(query, 'sort');
  const after = single(query, 'after');
  const before = single(query, 'before');
  const limit = single(query, 'limit');
  const count = parseBoolean(query, 'count');
  if (filter !== undefined) list.filter = filter;
  if (sort !== undefined) list.sort = sort;
  if (after !== undefined && after !== '') list.after = after;
  // `before` pages backward: the `limit` records just before the cursor, with `prevCursor` to go on.
  if (before !== undefined && before !== '') Object.assign(list, { before, backward: true });
  if (count !== undefined) list.count = count;
  if (limit !== undefined) {
    if (!/^\d+$/.test(limit)) throw new CausewayError('INVALID_QUERY', `limit must be a whole number, not '${limit}'`);
    list.limit = Number(limit);
  }
  return list;
}

export function parseReadQuery(query: QueryString): ReadOptions {
  rejectUnknown(query, ['fields', 'expand']);
  return readOptions(query);
}

export function parseConfirmQuery(query: QueryString): { confirm: boolean } {
  rejectUnknown(query, ['confirm']);
  return { confirm: parseBoolean(query, 'confirm') ?? false };
}
