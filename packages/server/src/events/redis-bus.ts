import { Redis } from 'ioredis';
import { SharedBus, type BusEnvelope } from './shared-bus.js';

/** The Redis channel of a deployment (see `deploymentId`): deployments sharing a Redis never hear each other. */
export function redisChannel(deployment: string): string {
  return `causeway:${deployment}`;
}

/**
 * Change events and signals shared between Causeway instances through Redis pub/sub, on one channel per
 * deployment. Redis may drop a message (a reconnect) and instances publish independently, so order and
 * completeness do not rest on it: the realtime hub uses a published batch only when it follows on from its
 * position and otherwise reads the change log (and polls it, so a lost last message is found too).
 */
export class RedisBus extends SharedBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly ready: Promise<unknown>;

  constructor(
    url: string,
    private readonly channel = 'causeway:changes',
  ) {
    super();
    this.publisher = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.subscriber = new Redis(url, { lazyConnect: false });
    this.subscriber.on('message', (_channel: string, text: string) => void this.receive(JSON.parse(text) as BusEnvelope));
    this.ready = this.subscriber.subscribe(channel);
  }

  async connected(): Promise<void> {
    await this.ready;
  }

  protected async send(envelope: BusEnvelope): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(envelope));
  }

  protected async disconnect(): Promise<void> {
    this.subscriber.disconnect();
    await this.publisher.quit();
  }
}
