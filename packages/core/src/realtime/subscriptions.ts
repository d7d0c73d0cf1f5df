import type { SubscriptionMessage } from '@causeway/wire';
import type { CausewayError } from '../errors/causeway-error.js';
import type { ChangeEvent } from '../events/change-event.js';
import { equalityKey, hasRelationPaths, type Condition, type EqualityKey, type FilterNode, matchesCondition, type RecordLookup } from '../query/index.js';
import type { ExpandNode } from '../records/expand.js';
import { pageLimit } from '../records/list-query.js';
import type { CausewayRecord } from '../records/record.js';
import type { RecordsService } from '../records/records-service.js';
import type { Caller } from '../rules/caller.js';
import type { Collection } from '../schema/collection.js';
import type { SchemaRegistry } from '../schema/schema-registry.js';
import { imageVersionTag, sharedVisibleImage } from './event-images.js';
import { diffLists, type ListOp } from './list-diff.js';
import type { LiveQueryGroup, LiveQueryGroups } from './live-query-group.js';
import { liveQueryShape, type LiveQueryShape } from './live-query-shape.js';
import { relatedLookup } from './related-records.js';

/**
 * What a client asks to follow. `since` resumes after that change-log position; `expand` names relations to
 * expand in what is sent, exactly as a REST read would (each related record under its view rule).
 */
export type SubscriptionSpec =
  | { kind: 'collection'; collection: string; filter?: string | undefined; where?: FilterNode | undefined; expand?: readonly string[] | undefined; since?: number | undefined }
  | { kind: 'record'; collection: string; id: string; expand?: readonly string[] | undefined; since?: number | undefined }
  | { kind: 'query'; collection: string; filter?: string | undefined; sort?: string | undefined; limit?: number | undefined; expand?: readonly string[] | undefined };

/** Messages the hub sends a subscriber (the wire's subscription messages); each names its subscription and a position. */
export type HubMessage = SubscriptionMessage<CausewayRecord>;

/**
 * Why the hub ended a subscription: its caller may no longer see what it follows (`forbidden`), its collection
 * was deleted or re-created (`collection_deleted`), or it can no longer run at all (`invalid`: a field its filter
 * names was removed, a failure while delivering).
 */
export type EndReason = 'forbidden' | 'collection_deleted' | 'invalid';

/** One client connection as the hub sees it: who it is, and where its messages go. */
export interface Subscriber {
  readonly caller: Caller;
  deliver(message: HubMessage): void;
  /** The hub ended `subscription` and will send it nothing more; `error` says why, in the catalogue's terms. */
  ended(subscription: Subscription, reason: EndReason, error: CausewayError): void;
}

export interface SubscriptionContext {
  records: RecordsService;
  schema: SchemaRegistry;
  /** The hub's shared live-query results, by shape. */
  liveQueries: LiveQueryGroups;
}

const defaultLiveQueryLimit = 20;

/**
 * The records of `collection` the caller may see under `action`'s rule and that match `filter`, as one
 * condition (undefined: all of them). Throws FORBIDDEN for an admins-only rule, INVALID_FILTER for a bad filter.
 */
function visibleWhere(context: SubscriptionContext, caller: Caller, collection: Collection, action: 'list' | 'view', filter?: string, where?: FilterNode): Condition | undefined {
  const verdict = context.records.rules.require(collection, action, caller);
  const parts: Condition[] = [];
  if (verdict.kind === 'where') parts.push(verdict.condition);
  if (filter !== undefined && filter.trim() !== '') parts.push(context.records.filterCondition(caller, collection, filter));
  if (where) parts.push(context.records.filterCondition(caller, collection, where));
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { kind: 'and', items: parts };
}

/** For conditions without relation paths: they never look a related record up. */
const noRelatedRecords: RecordLookup = () => undefined;

/** Whether the changed record matched `where` before the change (`was`) and after it (`is`; never after a delete). */
function judged(where: Condition, event: ChangeEvent, lookup: RecordLookup): { was: boolean; is: boolean } {
  return {
    was: event.previous !== null && matchesCondition(where, event.previous, lookup),
    is: event.op !== 'delete' && matchesCondition(where, event.record, lookup),
  };
}

export abstract class Subscription {
  /** The last change-log position this subscription has dealt with. */
  cursor = 0;
  closed = false;

  constructor(
    readonly id: string,
    readonly subscriber: Subscriber,
    private definition: Collection,
    protected readonly context: SubscriptionContext,
  ) {}

  /** The collection as this subscription was last judged against (replaced by `rejudge` after a schema change). */
  get collection(): Collection {
    return this.definition;
  }

  /** Collections whose changes this subscription must see. */
  abstract collections(): string[];
  /**
   * An equality that a record of its own collection must satisfy, before or after a change, for the change to
   * matter to this subscription (the hub indexes subscriptions by it); undefined when any change may matter.
   */
  abstract indexKey(): EqualityKey | undefined;
  /**
   * Judges the subscription again — its caller changed, or the collection's rules or fields did (`collection`,
   * the definition now in force) — and brings the client up to date; throws when it is no longer allowed.
   */
  async rejudge(collection: Collection = this.definition): Promise<void> {
    this.definition = collection;
    await this.refresh();
  }

  protected abstract refresh(): Promise<void>;
  protected abstract apply(event: ChangeEvent): void | Promise<void>;

  /** Ends it: it receives nothing more. */
  close(): void {
    this.closed = true;
  }

  handle(event: ChangeEvent): void | Promise<void> {
    if (this.closed || event.seq <= this.cursor) return;
    this.cursor = event.seq;
    return this.apply(event);
  }
}

/**
 * A collection (optionally filtered) or one record. Each change is judged on the record before and after it:
 * visible both times → update, only after → insert, only before → remove, so leaving or entering the
 * subscriber's view (by a rule or the filter) arrives as what it is for them.
 */
export class MatchingSubscription extends Subscription {
  private where: Condition | undefined;
  private expansion: ExpandNode[];

  constructor(id: string, subscriber: Subscriber, collection: Collection, context: SubscriptionContext, private readonly spec: Extract<SubscriptionSpec, { kind: 'collection' | 'record' }>) {
    super(id, subscriber, collection, context);
    this.where = this.compute();
    this.expansion = expansionOf(context, collection, spec.expand);
  }

  collections(): string[] {
    return [this.collection.name];
  }

  indexKey(): EqualityKey | undefined {
    if (this.spec.kind === 'record') return { field: 'id', values: [this.spec.id] };
    return this.where === undefined ? undefined : equalityKey(this.where);
  }

  protected async refresh(): Promise<void> {
    this.where = this.compute();
    this.expansion = expansionOf(this.context, this.collection, this.spec.expand);
  }

  private compute(): Condition | undefined {
    const action = this.spec.kind === 'record' ? 'view' : 'list';
    const spec = this.spec.kind === 'collection' ? this.spec : undefined;
    return visibleWhere(this.context, this.subscriber.caller, this.collection, action, spec?.filter, spec?.where);
  }

  protected apply(event: ChangeEvent): void | Promise<void> {
    if (event.collection !== this.collection.name) return;
    if (this.spec.kind === 'record' && event.recordId !== this.spec.id) return;
    const where = this.where;
    if (where === undefined) return this.emit(event, event.previous !== null, event.op !== 'delete');
    if (!hasRelationPaths(where)) {
      const { was, is } = judged(where, event, noRelatedRecords);
      return this.emit(event, was, is);
    }
    const records = [event.previous, event.op === 'delete' ? null : event.record].filter((r): r is CausewayRecord => r !== null);
    return relatedLookup([where], records, this.context.records.relatedRecords()).then((lookup) => {
      const { was, is } = judged(where, event, lookup);
      return this.emit(event, was, is);
    });
  }

  private emit(event: ChangeEvent, was: boolean, is: boolean): void | Promise<void> {
    if (!was && !is) return;
    const op = was && is ? 'update' : is ? 'insert' : 'remove';
    // Events carry internal images (rules read hidden fields); what is sent is what REST would return.
    const image = is ? event.record : (event.previous ?? event.record);
    // Shared by every subscriber that may read the same fields, so the server encodes it once for them all.
    const record = sharedVisibleImage(this.collection, image, this.subscriber.caller);
    // Every update adds one to the version: the image before an update had the one before.
    const version = event.version === undefined ? undefined : image === event.record ? event.version : event.version - 1;
    const tag = version === undefined ? {} : { version: imageVersionTag(image, version) };
    if (this.expansion.length === 0) return this.subscriber.deliver({ type: 'event', sub: this.id, seq: event.seq, op, record, ...tag });
    // Expanded for this subscriber's caller, on a copy: the event's record is shared by every subscription.
    const expanded = { ...record };
    return this.context.records.expand(this.subscriber.caller, [expanded], this.expansion).then(() => {
      if (!this.closed) this.subscriber.deliver({ type: 'event', sub: this.id, seq: event.seq, op, record: expanded, ...tag });
    });
  }
}

/**
 * A live query: filter + sort + limit. Its result is a `LiveQueryGroup` shared with every subscription of the
 * same shape (collection, resolved filter and rule, sort, limit, expand, readable fields): the group keeps it up
 * to date — in memory where that is exact, else by running the query again through the records service — and
 * this subscription sends the group's steps under its own id, so its client's list always equals what a fresh
 * query returns.
 */
export class LiveQuerySubscription extends Subscription {
  /** The result as this subscription's client last got it. */
  items: readonly CausewayRecord[] = [];
  private shape: LiveQueryShape;
  private group: LiveQueryGroup | undefined;
  private readonly limit: number;

  constructor(id: string, subscriber: Subscriber, collection: Collection, context: SubscriptionContext, private readonly spec: Extract<SubscriptionSpec, { kind: 'query' }>) {
    super(id, subscriber, collection, context);
    // Checked here, so a bad limit is refused before the subscription waits its turn on the hub's queue.
    this.limit = pageLimit(spec.limit, defaultLiveQueryLimit);
    this.shape = this.compute();
  }

  /** The shared result it follows (the same object for every subscription of its shape), once started. */
  get result(): LiveQueryGroup | undefined {
    return this.group;
  }

  collections(): string[] {
    return [this.collection.name, ...this.shape.touched];
  }

  indexKey(): EqualityKey | undefined {
    const { where, reachesOwn } = this.shape;
    return where === undefined || reachesOwn ? undefined : equalityKey(where);
  }

  /** Joins the result of its shape (running the query when it is the first to ask). */
  async start(): Promise<CausewayRecord[]> {
    this.group = await this.join();
    this.items = this.group.items;
    // A copy: the snapshot message is the client's, the items are shared by the group.
    return [...this.items];
  }

  /** Judged again: it may now have another shape (another caller's rights, a changed rule or collection), so another result. */
  protected async refresh(): Promise<void> {
    this.shape = this.compute();
    const previous = this.group;
    const group = await this.join();
    if (previous && previous !== group) this.liveQueries().leave(this, previous);
    this.group = group;
    this.send(diffLists(this.items, group.items), this.cursor, group.items);
  }

  override close(): void {
    super.close();
    if (this.group) this.liveQueries().leave(this, this.group);
  }

  /** Joins the result of its current shape; one closed meanwhile (its client left while the query ran) leaves it again. */
  private async join(): Promise<LiveQueryGroup> {
    const group = await this.liveQueries().join(this, this.shape, this.subscriber.caller, this.context.records);
    if (this.closed) this.liveQueries().leave(this, group);
    return group;
  }

  private compute(): LiveQueryShape {
    const where = visibleWhere(this.context, this.subscriber.caller, this.collection, 'list', this.spec.filter);
    return liveQueryShape(this.context, this.subscriber.caller, this.collection, this.spec, this.limit, where, expansionOf(this.context, this.collection, this.spec.expand));
  }

  private liveQueries(): LiveQueryGroups {
    return this.context.liveQueries;
  }

  protected apply(event: ChangeEvent): void | Promise<void> {
    const group = this.group;
    if (!group) return;
    const steps = group.changes(event);
    if (Array.isArray(steps)) return this.send(steps, event.seq, group.items);
    return steps.then((ops) => this.send(ops, event.seq, group.items));
  }

  private send(ops: ListOp[], seq: number, items: readonly CausewayRecord[]): void {
    this.items = items;
    if (ops.length > 0 && !this.closed) this.subscriber.deliver({ type: 'diff', sub: this.id, seq, ops });
  }
}

/** A subscription's `expand` as the tree the records service follows (checked when it starts and when re-judged). */
function expansionOf(context: SubscriptionContext, collection: Collection, paths: readonly string[] | undefined): ExpandNode[] {
  return paths?.length ? context.records.expansion(collection, paths) : [];
}
