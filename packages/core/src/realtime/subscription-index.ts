import type { ChangeEvent } from '../events/change-event.js';
import type { EqualityKey } from '../query/index.js';
import type { Subscription } from './subscriptions.js';

/** One collection's subscriptions: those keyed by an equality on the collection's own records, and the rest. */
class CollectionSubscriptions {
  readonly unkeyed = new Set<Subscription>();
  readonly keyed = new Map<string, Map<unknown, Set<Subscription>>>();

  add(subscription: Subscription, key: EqualityKey | undefined): void {
    if (!key) {
      this.unkeyed.add(subscription);
      return;
    }
    let byValue = this.keyed.get(key.field);
    if (!byValue) this.keyed.set(key.field, (byValue = new Map()));
    for (const value of key.values) {
      let set = byValue.get(value);
      if (!set) byValue.set(value, (set = new Set()));
      set.add(subscription);
    }
  }

  remove(subscription: Subscription, key: EqualityKey | undefined): void {
    if (!key) {
      this.unkeyed.delete(subscription);
      return;
    }
    const byValue = this.keyed.get(key.field);
    for (const value of key.values) {
      const set = byValue?.get(value);
      set?.delete(subscription);
      if (set?.size === 0) byValue!.delete(value);
    }
    if (byValue?.size === 0) this.keyed.delete(key.field);
  }

  /** The subscriptions `event` can matter to: every unkeyed one, and the keyed ones its record held (before or after) the value of. */
  *candidates(event: ChangeEvent): Iterable<Subscription> {
    yield* this.unkeyed;
    if (this.keyed.size === 0) return;
    const seen = new Set<Subscription>();
    for (const [field, byValue] of this.keyed) {
      const values = field === 'id' ? [event.recordId] : [event.previous?.[field], event.record[field]];
      for (const value of values) {
        for (const subscription of byValue.get(value) ?? []) {
          if (seen.has(subscription)) continue;
          seen.add(subscription);
          yield subscription;
        }
      }
    }
  }
}

interface Registration {
  collection: string;
  key: EqualityKey | undefined;
}

/**
 * The hub's open subscriptions by the collections whose changes they follow, each indexed by the equality its
 * own collection's records must satisfy (`Subscription.indexKey`): an event is judged only against the
 * subscriptions it can matter to, so 10,000 subscriptions filtered by owner cost one lookup per event, not
 * 10,000 evaluations.
 */
export class SubscriptionIndex {
  private readonly byCollection = new Map<string, CollectionSubscriptions>();
  private readonly registrations = new Map<Subscription, Registration[]>();

  add(subscription: Subscription): void {
    this.remove(subscription);
    const own = subscription.collection.name;
    const key = subscription.indexKey();
    const registrations = subscription.collections().map((collection) => ({ collection, key: collection === own ? key : undefined }));
    for (const { collection, key: collectionKey } of registrations) {
      let subscriptions = this.byCollection.get(collection);
      if (!subscriptions) this.byCollection.set(collection, (subscriptions = new CollectionSubscriptions()));
      subscriptions.add(subscription, collectionKey);
    }
    this.registrations.set(subscription, registrations);
  }

  remove(subscription: Subscription): void {
    for (const { collection, key } of this.registrations.get(subscription) ?? []) this.byCollection.get(collection)?.remove(subscription, key);
    this.registrations.delete(subscription);
  }

  candidates(event: ChangeEvent): Iterable<Subscription> {
    return this.byCollection.get(event.collection)?.candidates(event) ?? [];
  }

  /** Every open subscription, once each. */
  all(): Subscription[] {
    return [...this.registrations.keys()];
  }

  clear(): void {
    this.byCollection.clear();
    this.registrations.clear();
  }
}
