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
  /** Cursor from a previous page's `nextCursor` (or any item's cursor): only records after it. */
  after?: string;
  /** Cursor from a page's `prevCursor` (or any item's cursor): only records before it. */
  before?: string;
  /**
   * Take the page from the end of the window rather than its start: the `limit` records nearest `before` (the
   * last ones without it), Relay's `last`. Items still come in sort order.
   */
  backward?: boolean;
  /**
   * Also tell whether records precede a forward page that `after` bounds (`prevCursor`): one more single-row
   * query. A backward page always tells both ends.
   */
  bothEnds?: boolean;
  count?: boolean;
  fields?: readonly string[];
  expand?: readonly string[];
  /** Also return a cursor for every item (GraphQL edges), not only `nextCursor`. */
  cursors?: boolean;
  /** Also return every item's version tag (what `ifMatch` takes): read with the row, so it costs no query. */
  versions?: boolean;
}

/** A page as REST sends it, and for GraphQL's edges a cursor per item when asked for. */
export interface ListPage extends WireListPage<CausewayRecord> {
  /** The cursor after each item, when `cursors` was asked for. */
  cursors?: string[];
  /** Each item's version tag, when `versions` was asked for. */
  versions?: string[];
}

export interface ReadOptions {
  fields?: readonly string[];
  expand?: readonly string[];
}
