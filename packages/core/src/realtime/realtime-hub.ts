import { setImmediate as nextTurn } from 'node:timers/promises';
import { CausewayError, isCausewayError } from '../errors/causeway-error.js';
import type { ChangeEvent } from '../events/change-event.js';
import type { EventBus } from '../events/event-bus.js';
import type { RecordsService } from '../records/records-service.js';
import type { Collection } from '../schema/collection.js';
import type { SchemaRegistry } from '../schema/schema-registry.js';
import type { ChangeFeed } from './change-feed.js';
import { LiveQueryGroups } from './live-query-group.js';
import { SubscriptionIndex } from './subscription-index.js';
import {
  LiveQuerySubscription,
  MatchingSubscription,
  type EndReason,
  type Subscriber,
  type Subscription,
  type SubscriptionSpec,
} from './subscriptions.js';

export interface RealtimeHubDeps {
  records: RecordsService;
  schema: SchemaRegistry;
  bus: EventBus;
  feed: ChangeFeed;
  /** Told about a failure while delivering to one subscription (it is then ended). */
  onError?: (error: unknown, subscription: Subscription) => void;
  /**
   * How often to look at the change log for changes the bus did not announce (another instance died between
   * its commit and its publish, or a bus message was lost); 0 never looks.
   */
  pollMs?: number;
}

const replayPage = 1000;
/**
 * Longest the hub delivers before it yields to the event loop: closes and drains must be seen during a large
 * fan-out, and a write waiting on its database's answers (PostgreSQL) must not wait behind a whole backlog.
 */
const deliveryMsPerTurn = 10;
/** How many subscriptions the fan-out of one event serves between looks at the clock. */
const sliceCheckEvery = 64;

/**
 * Fans committed changes out to subscriptions, strictly in change-log order. The bus only says "there is
 * more"; the hub takes events from it when they follow on, and reads the change log when they do not (a gap,
 * another instance, a resume), so no process-local assumption decides what a client sees. All work runs on one
 * queue: a resuming subscription replays what it missed before it joins the live stream, so it gets each
 * event exactly once, in order.
 */
export class RealtimeHub {
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly subscriptions = new SubscriptionIndex();
  /** Live queries of the same shape share one result (see `LiveQueryGroup`). */
  private readonly liveQueries = new LiveQueryGroups();
  private stopBus: (() => void) | undefined;
  private stopSchema: (() => void) | undefined;
  private poll: NodeJS.Timeout | undefined;
  private turnStarted = performance.now();

  constructor(private readonly deps: RealtimeHubDeps) {}

  async start(): Promise<void> {
    this.seq = await this.deps.feed.latest();
    this.stopSchema = this.deps.schema.onChange(() => void this.enqueue(() => this.rejudgeAll()));
    this.stopBus = this.deps.bus.subscribe((events) => {
      const last = events.at(-1);
      if (last) void this.enqueue(() => this.advance(last.seq, events));
    });
    if (this.deps.pollMs) {
      this.poll = setInterval(() => void this.sync().catch(() => undefined), this.deps.pollMs);
      this.poll.unref();
    }
  }

  /** The change-log position every subscription has been brought up to. */
  get position(): number {
    return this.seq;
  }

  /**
   * Starts a subscription. Checks (rules, filter, sort) throw at once; then, in order with the live stream,
   * it replays from `since` (or sends a snapshot for a live query) and joins.
   */
  async subscribe(subscriber: Subscriber, id: string, spec: SubscriptionSpec): Promise<Subscription> {
    const collection = this.deps.schema.collection(spec.collection);
    if (!collection) throw new CausewayError('COLLECTION_NOT_FOUND', `There is no collection '${spec.collection}'.`);
    const context = { records: this.deps.records, schema: this.deps.schema, liveQueries: this.liveQueries };
    if (spec.kind === 'query') {
      const live = new LiveQuerySubscription(id, subscriber, collection, context, spec);
      await this.enqueue(async () => {
        const items = await live.start();
        live.cursor = this.seq;
        this.add(live);
        subscriber.deliver({ type: 'snapshot', sub: id, seq: this.seq, items });
      });
      return live;
    }
    const subscription = new MatchingSubscription(id, subscriber, collection, context, spec);
    await this.enqueue(async () => {
      await this.replay(subscription, spec.since);
      this.add(subscription);
      subscriber.deliver({ type: 'subscribed', sub: id, seq: this.seq });
    });
    return subscription;
  }

  unsubscribe(subscription: Subscription): void {
    subscription.close();
    this.subscriptions.remove(subscription);
  }

  /** Re-judges subscriptions after their subscriber's caller changed; returns those no longer allowed. */
  async refresh(subscriptions: readonly Subscription[]): Promise<{ subscription: Subscription; error: unknown }[]> {
    const refused: { subscription: Subscription; error: unknown }[] = [];
    await this.enqueue(async () => {
      for (const subscription of subscriptions) {
        const error = await this.rejudge(subscription, subscription.collection);
        if (error !== undefined) refused.push({ subscription, error });
      }
    });
    return refused;
  }

  /**
   * After any schema change (here or, through the registry's reload, on another instance): every open
   * subscription is judged again under the collection now in force, in order with the events around it. One
   * whose collection is gone or was re-created ends with `collection_deleted`; one no longer allowed, or that
   * can no longer run, ends with `forbidden` or `invalid`; live queries re-run and send the difference.
   */
  private async rejudgeAll(): Promise<void> {
    for (const subscription of this.subscriptions.all()) {
      if (subscription.closed) continue;
      const current = this.deps.schema.collection(subscription.collection.name);
      if (!current || current.id !== subscription.collection.id) {
        const error = new CausewayError('COLLECTION_NOT_FOUND', `Collection '${subscription.collection.name}' was deleted.`);
        this.end(subscription, 'collection_deleted', error);
        continue;
      }
      const error = await this.rejudge(subscription, current);
      if (error !== undefined) this.end(subscription, endReason(error), asCausewayError(error));
    }
  }

  /** Judges one subscription again; answers the error that ends it, after taking it off the hub. */
  private async rejudge(subscription: Subscription, collection: Collection): Promise<unknown> {
    try {
      await subscription.rejudge(collection);
      // Its collections and index key may have changed with it.
      this.add(subscription);
      return undefined;
    } catch (error) {
      this.unsubscribe(subscription);
      return error ?? new Error('rejudge failed');
    }
  }

  private end(subscription: Subscription, reason: EndReason, error: CausewayError): void {
    this.unsubscribe(subscription);
    subscription.subscriber.ended(subscription, reason, error);
  }

  /** Resolves once every change committed so far has been delivered; returns the position reached. */
  async sync(): Promise<number> {
    const latest = await this.deps.feed.latest();
    await this.enqueue(() => this.advance(latest, []));
    return this.seq;
  }

  stop(): void {
    this.stopBus?.();
    this.stopSchema?.();
    clearInterval(this.poll);
    for (const subscription of this.subscriptions.all()) subscription.close();
    this.subscriptions.clear();
  }

  private add(subscription: Subscription): void {
    this.subscriptions.add(subscription);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Brings the hub to `target`, using `hint` (the bus's events) when it follows on, else the change log. */
  private async advance(target: number, hint: readonly ChangeEvent[]): Promise<void> {
    while (this.seq < target) {
      const fresh = hint.filter((event) => event.seq > this.seq);
      const follows = fresh.length > 0 && fresh.every((event, i) => event.seq === this.seq + 1 + i);
      const batch = follows ? fresh : await this.deps.feed.since(this.seq, replayPage);
      if (batch.length === 0) return;
      for (const event of batch) {
        await this.dispatch(event);
        this.seq = event.seq;
      }
    }
  }

  /**
   * Hands one event to every subscription it can matter to, in the index's order. The loop yields to the event
   * loop whenever it has run `deliveryMsPerTurn`, even within one event: a fan-out to many subscribers is cut
   * into slices with I/O (HTTP requests being parsed, writes being answered) between them, so no write waits
   * behind a whole fan-out. Order holds: each subscription still gets this event before the next one starts,
   * and one closed during a pause is skipped (`handle` looks at `closed`).
   */
  private async dispatch(event: ChangeEvent): Promise<void> {
    const pending: Promise<void>[] = [];
    // A copy: the index may change while the loop is paused.
    const candidates = [...this.subscriptions.candidates(event)];
    for (let i = 0; i < candidates.length; i++) {
      const subscription = candidates[i]!;
      try {
        const result = subscription.handle(event);
        if (result) pending.push(result.catch((error: unknown) => this.fail(subscription, error)));
      } catch (error) {
        this.fail(subscription, error);
      }
      if (i % sliceCheckEvery === sliceCheckEvery - 1) await this.yieldIfDue();
    }
    if (pending.length > 0) await Promise.all(pending);
    await this.yieldIfDue();
  }

  /** Yields to the event loop once the current slice has run `deliveryMsPerTurn`. */
  private async yieldIfDue(): Promise<void> {
    if (performance.now() - this.turnStarted < deliveryMsPerTurn) return;
    await nextTurn();
    this.turnStarted = performance.now();
  }

  /** A subscription that failed while delivering ends, and its subscriber is told (its id is free again). */
  private fail(subscription: Subscription, error: unknown): void {
    this.deps.onError?.(error, subscription);
    this.end(subscription, endReason(error), asCausewayError(error));
  }

  /** Replays what a resuming subscription missed, or tells it to refetch when the log no longer holds it. */
  private async replay(subscription: Subscription, since: number | undefined): Promise<void> {
    if (since === undefined || since === this.seq) {
      subscription.cursor = this.seq;
      return;
    }
    // A client coming from another instance may know of changes this one has not heard of yet.
    if (since > this.seq) await this.advance(await this.deps.feed.latest(), []);
    const oldest = await this.deps.feed.oldest();
    if (since > this.seq || oldest === undefined || since < oldest - 1) {
      subscription.cursor = this.seq;
      const reason = since > this.seq ? 'the position is ahead of this server\'s change log' : 'the change log no longer holds every change since that position';
      subscription.subscriber.deliver({ type: 'resync', sub: subscription.id, seq: this.seq, reason });
      return;
    }
    subscription.cursor = since;
    let from = since;
    while (from < this.seq) {
      const batch = (await this.deps.feed.since(from, replayPage)).filter((event) => event.seq <= this.seq);
      if (batch.length === 0) break;
      for (const event of batch) await subscription.handle(event);
      from = batch.at(-1)!.seq;
    }
    subscription.cursor = this.seq;
  }
}

function endReason(error: unknown): EndReason {
  return isCausewayError(error) && (error.code === 'FORBIDDEN' || error.code === 'UNAUTHENTICATED') ? 'forbidden' : isCausewayError(error) && error.code === 'COLLECTION_NOT_FOUND' ? 'collection_deleted' : 'invalid';
}

/** What a subscriber is told when a subscription ends on an unexpected failure: nothing internal. */
function asCausewayError(error: unknown): CausewayError {
  if (isCausewayError(error)) return error;
  return new CausewayError('INTERNAL', 'The subscription could not continue; subscribe again.', { cause: error });
}
