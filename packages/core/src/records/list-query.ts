import type { ListPage as WireListPage } from '@causeway/wire';
import { CausewayError } from '../errors/causeway-error.js';
import type { FilterNode } from '../query/filter-ast.js';
import type { CausewayRecord } from './record.js';

export const defaultPageSize = 30;
export const maxPageSize = 500;

/** A page size as asked for (or `fallback`), refused unless it is a whole number from 1 to `maxPageSize`. */
export function pageLimit(limit: number | undefined, fallback = defaultPageSize): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > maxPageSize) {
    throw new CausewayError('INVALID_QUERY', `limit must be a whole number from 1 to ${maxPageSize}`);
  }
  return value;
}

/** A list request, the same from every surface: text filter and sort in the Causeway query language. */
export interface ListQuery {
  filter?: string;
  /**
   * A filter a surface built as a tree itself (GraphQL's typed `where`), and-ed with `filter`: resolved and
   * bounded exactly like filter text, without being printed and parsed again.
   */
  where?: FilterNode;
  sort?: string;
  limit?: number;
  /** Cursor from a previous page's `nextCursor`. */
  after?: string;
  count?: boolean;
  fields?: readonly string[];
  expand?: readonly string[];
  /** Also return a cursor for every item (GraphQL edges), not only `nextCursor`. */
  cursors?: boolean;
}

/** A page as REST sends it, and for GraphQL's edges a cursor per item when asked for. */
export interface ListPage extends WireListPage<CausewayRecord> {
  /** The cursor after each item, when `cursors` was asked for. */
  cursors?: string[];
}

export interface ReadOptions {
  fields?: readonly string[];
  expand?: readonly string[];
}
