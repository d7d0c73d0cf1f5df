/** One page of a list (`GET /api/collections/:name/records`, `GET /api/logs`, `GET /api/admins`…). */
export interface ListPage<T> {
  items: T[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
  /** On a page read with `before`: pass as `before` for the page before it; null when none precedes. */
  prevCursor?: string | null;
  /** Number of records matching the filter, when `count` was asked for. */
  total?: number;
}
