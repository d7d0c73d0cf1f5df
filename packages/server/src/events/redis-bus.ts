import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ChangeEvent, ChangeListener, EventBus } from '@causeway/core';

interface Envelope {
  from: string;
  events: ChangeEvent[];
}

/**
 * Change events shared between Causeway instances through Redis pub/sub. Listeners in this process are told at
 * once; other instances get the events from Redis. Redis may drop a message (a reconnect) and instances publish
 * independently, so order and completeness do not rest on it: the realtime hub uses a published batch only when
 * it follows on from its position and otherwise reads the change log.
 */
export class RedisBus implements EventBus {
  private readonly id = randomUUID();
  private readonly listeners = new Set<ChangeListener>();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly ready: Promise<unknown>;

  constructor(
    url: string,
    private readonly channel = 'causeway:changes',
  ) {
    this.publisher = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.subscriber = new Redis(url, { lazyConnect: false });
    this.subscriber.on('message', (_channel: string, text: string) => {
      const envelope = JSON.parse(text) as Envelope;
      if (envelope.from === this.id) return;
      for (const listener of this.listeners) listener(envelope.events);
    });
    this.ready = this.subscriber.subscribe(channel);
  }

  /** Resolves once this instance receives what others publish. */
  async connected(): Promise<void> {
    await this.ready;
  }

  async publish(events: readonly ChangeEvent[]): Promise<void> {
    for (const listener of this.listeners) listener(events);
    const envelope: Envelope = { from: this.id, events: [...events] };
    await this.publisher.publish(this.channel, JSON.stringify(envelope));
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.subscriber.disconnect();
    await this.publisher.quit();
  }
}
