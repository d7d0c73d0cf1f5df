import type { ChangeEvent } from '../events/change-event.js';
import { hasRelationPaths, matchesCondition } from '../query/index.js';
import { recordOrder } from '../query/record-order.js';
import { visibleRecord } from '../records/field-visibility.js';
import type { CausewayRecord } from '../records/record.js';
import type { RecordsService } from '../records/records-service.js';
import type { Caller } from '../rules/caller.js';
import { diffLists, type ListOp } from './list-diff.js';
import type { LiveQueryShape } from './live-query-shape.js';
import { applyToWindow } from './live-window.js';

/** For conditions without relation paths: they never look a related record up. */
const noRelatedRecords = () => undefined;

/**
 * One live query's result, shared by every subscription of the same shape (see `LiveQueryShape.key`): it is
 * brought up to date once per change, and each member sends the same steps under its own subscription id.
 *
 * A change of its own collection is applied in memory when the result depends on nothing but the changed
 * record (no relation paths in the filter or rule, no expand): judged before and after against the filter and
 * rule, placed by the sort, and the query runs again only when the window must be refilled (see
 * `applyToWindow`). Anything else — relations, expand, changes of other collections — runs the query again,
 * through the records service, so the list rule and the expanded views apply exactly as in REST.
 */
export class LiveQueryGroup {
  /** The subscriptions sharing this result. */
  readonly members = new Set<object>();
  items: readonly CausewayRecord[] = [];
  /** Whether `items` are every matching record (no more beyond the last). */
  private complete = true;
  /** The last change-log position applied, and the steps it made (each member asks for them). */
  private seq = 0;
  private steps: ListOp[] | Promise<ListOp[]> = [];
  private readonly inMemory: boolean;
  private readonly order: (a: CausewayRecord, b: CausewayRecord) => number;
  /** How often the query ran (first run included): for tests and benchmarks to see what memory saved. */
  queries = 0;

  constructor(
    readonly shape: LiveQueryShape,
    /** Any one member's caller: every member's gives the same result (that is what the shape's key says). */
    private readonly caller: Caller,
    private readonly records: RecordsService,
  ) {
    this.inMemory = shape.expansion.length === 0 && !shape.reachesOwn && (shape.where === undefined || !hasRelationPaths(shape.where));
    this.order = recordOrder(shape.sort);
  }

  /** Runs the query for the first time. */
  async start(): Promise<void> {
    await this.requery();
  }

  /** The steps `event` makes in the result; computed once per event whichever member asks first. */
  changes(event: ChangeEvent): ListOp[] | Promise<ListOp[]> {
    if (event.seq < this.seq) return [];
    if (event.seq > this.seq) {
      this.seq = event.seq;
      this.steps = this.apply(event);
    }
    return this.steps;
  }

  private apply(event: ChangeEvent): ListOp[] | Promise<ListOp[]> {
    const { collection, where } = this.shape;
    if (event.collection !== collection.name) return this.requery();
    // Whether the changed record matched before the change and after it (the window holds only matching records).
    const was = event.previous !== null && (where === undefined || matchesCondition(where, event.previous, noRelatedRecords));
    const is = event.op !== 'delete' && (where === undefined || matchesCondition(where, event.record, noRelatedRecords));
    // Without relation paths, a change that matched neither before nor after cannot alter the result; with them,
    // it may decide whether other records match (or what they show, through expand).
    if (!this.inMemory) return was || is || this.shape.reachesOwn || (where !== undefined && hasRelationPaths(where)) ? this.requery() : [];
    // Matching neither before nor after, the record is not in the window as of this change (the window may
    // hold a newer image of it, read by a refill; the change that made that image comes later and places it).
    if (!was && !is) return [];
    // Events carry internal images (rules read hidden fields); the window holds what the members may see.
    const after = is ? visibleRecord(collection, event.record, this.caller) : null;
    const next = applyToWindow({ items: this.items, complete: this.complete }, { id: event.recordId, after }, this.shape.limit, this.order);
    if (next === 'refill') return this.requery();
    const steps = diffLists(this.items, next.items);
    this.items = next.items;
    this.complete = next.complete;
    return steps;
  }

  private async requery(): Promise<ListOp[]> {
    this.queries++;
    const { collection, spec, limit } = this.shape;
    const query = {
      limit,
      ...(spec.filter === undefined ? {} : { filter: spec.filter }),
      ...(spec.sort === undefined ? {} : { sort: spec.sort }),
      ...(spec.expand === undefined ? {} : { expand: spec.expand }),
    };
    const page = await this.records.list(this.caller, collection.name, query);
    const steps = diffLists(this.items, page.items);
    this.items = page.items;
    this.complete = page.nextCursor === null;
    return steps;
  }
}

/**
 * The live queries of one hub by shape: a subscription joins the group of its shape (starting it, with one
 * query, when it is the first) and leaves it when it ends; the last to leave drops it.
 */
export class LiveQueryGroups {
  private readonly groups = new Map<string, { group: LiveQueryGroup; ready: Promise<void> }>();
  /**
   * A number per collection definition: a schema change replaces the definition, and subscriptions judged
   * against the new one must not share a result computed under the old one.
   */
  private readonly generations = new WeakMap<object, number>();
  private nextGeneration = 0;

  async join(member: object, shape: LiveQueryShape, caller: Caller, records: RecordsService): Promise<LiveQueryGroup> {
    const key = this.keyOf(shape);
    let entry = this.groups.get(key);
    if (!entry) {
      const group = new LiveQueryGroup(shape, caller, records);
      entry = { group, ready: group.start() };
      this.groups.set(key, entry);
      const started = entry;
      entry.ready.catch(() => {
        if (this.groups.get(key) === started) this.groups.delete(key);
      });
    }
    await entry.ready;
    entry.group.members.add(member);
    return entry.group;
  }

  leave(member: object, group: LiveQueryGroup): void {
    group.members.delete(member);
    if (group.members.size > 0) return;
    const key = this.keyOf(group.shape);
    if (this.groups.get(key)?.group === group) this.groups.delete(key);
  }

  /** How many shared results are held (each with one or more members). */
  get size(): number {
    return this.groups.size;
  }

  private keyOf(shape: LiveQueryShape): string {
    let generation = this.generations.get(shape.collection);
    if (generation === undefined) this.generations.set(shape.collection, (generation = ++this.nextGeneration));
    return `${generation}:${shape.key}`;
  }
}
