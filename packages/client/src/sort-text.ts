/** One sort key: a field, `-` before it for descending (`+` or nothing for ascending). */
export type SortTerm<K extends string> = K | `-${K}` | `+${K}`;

/**
 * Sort text checked against the sortable field names `K`: `-created,title` passes, `-titel` is refused (with the
 * keys that would do). Text that is not a literal (a `string` variable) is not checked; the server checks it.
 */
export type SortText<T extends string, K extends string> = string extends T
  ? T
  : string extends K
    ? T
    : T extends `${infer Head},${infer Rest}`
      ? Head extends SortTerm<K>
        ? `${Head},${SortText<Rest, K>}`
        : `${SortTerm<K>},${Rest}`
      : T extends SortTerm<K>
        ? T
        : SortTerm<K>;
