import { collectionsTouched, type Condition } from '../query/index.js';
import { conditionKey } from '../query/condition-key.js';
import { formatSort, parseSort, type SortKey } from '../query/parse-sort.js';
import type { ExpandNode } from '../records/expand.js';
import { mayQuery, visibilityOf } from '../records/field-visibility.js';
import { isPrivileged, type Caller } from '../rules/caller.js';
import type { Collection } from '../schema/collection.js';
import type { SubscriptionContext } from './subscriptions.js';

/** What a live query asks for, as its subscribe message says it. */
export interface LiveQuerySpec {
  readonly filter?: string | undefined;
  readonly sort?: string | undefined;
  readonly expand?: readonly string[] | undefined;
}

/**
 * A live query as judged for one caller: everything its result depends on besides the database. Two
 * subscriptions with equal `key`s get the same result from the same data, so they share one window.
 */
export interface LiveQueryShape {
  readonly collection: Collection;
  readonly spec: LiveQuerySpec;
  readonly limit: number;
  /** The filter and the list rule, as one condition (undefined: every record). */
  readonly where: Condition | undefined;
  readonly sort: readonly SortKey[];
  readonly expansion: readonly ExpandNode[];
  /** Other collections whose changes can alter the result. */
  readonly touched: readonly string[];
  /**
   * Whether its filter, rule or expand reach records of its own collection through relations: then a change of
   * one record may alter whether others match, or what they show.
   */
  readonly reachesOwn: boolean;
  /**
   * Equal for two callers exactly when they may share a result: the resolved filter and rule (with the
   * `@request.auth` values they use), sort, limit, expand with the view rules bounding it, and what fields the
   * caller may read of the records shown.
   */
  readonly key: string;
}

/**
 * Judges a live query for `caller`. Throws FORBIDDEN when the list rule is for admins only, INVALID_FILTER and
 * INVALID_SORT for a filter or sort the caller may not use.
 */
export function liveQueryShape(
  context: SubscriptionContext,
  caller: Caller,
  collection: Collection,
  spec: LiveQuerySpec,
  limit: number,
  where: Condition | undefined,
  expansion: readonly ExpandNode[],
): LiveQueryShape {
  const sort = parseSort(spec.sort, collection, (field) => mayQuery(caller, collection, field));
  const touched = new Set<string>();
  if (where) collectionsTouched(where, touched);
  const views: string[] = [];
  const shown = [collection];
  for (const target of expandedCollections(expansion)) {
    touched.add(target.name);
    shown.push(target);
    const view = context.records.rules.verdict(target, 'view', caller);
    if (view.kind === 'where') collectionsTouched(view.condition, touched);
    views.push(`${target.name}:${view.kind === 'where' ? conditionKey(view.condition) : view.kind}`);
  }
  const reachesOwn = touched.has(collection.name);
  touched.delete(collection.name);
  const key = JSON.stringify([
    collection.id,
    collection.name,
    where === undefined ? null : conditionKey(where),
    formatSort(sort),
    limit,
    spec.expand ?? [],
    views,
    readerKey(caller, shown),
  ]);
  return { collection, spec, limit, where, sort, expansion, touched: [...touched], reachesOwn, key };
}

/**
 * Which fields `caller` reads of the records of `collections`: admins (and Causeway) every field; anyone else
 * those open to everyone, and a signed-in account also its own owner-only fields (its `email`) — so such an
 * account shares only with itself when it can see its own record.
 */
function readerKey(caller: Caller, collections: readonly Collection[]): string {
  if (isPrivileged(caller)) return 'privileged';
  if (caller.kind !== 'user') return 'public';
  const ownFields = collections.some((c) => c.type === 'auth' && c.name === caller.collection && c.fields.some((f) => visibilityOf(c, f) === 'owner'));
  return ownFields ? `account:${caller.collection}:${caller.record.id}` : 'public';
}

/** Every collection an expand tree shows records of. */
function expandedCollections(nodes: readonly ExpandNode[], found: Collection[] = []): Collection[] {
  for (const node of nodes) {
    found.push(node.target);
    expandedCollections(node.children, found);
  }
  return found;
}
