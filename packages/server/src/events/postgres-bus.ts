import type { ChangeEvent, ChangeFeed } from '@causeway/core';
import type { PostgresDatabase } from '../store/postgres/postgres-database.js';
import { SharedBus, type BusEnvelope } from './shared-bus.js';

/** NOTIFY payloads must stay under 8000 bytes; larger batches travel as a change-log range. */
const maxPayloadBytes = 7900;

/** The NOTIFY channel of a deployment (an identifier: at most 63 bytes). */
export function postgresChannel(deployment: string): string {
  return `causeway_${deployment.replaceAll('-', '')}`;
}

/**
 * Change events and signals shared between instances through PostgreSQL's LISTEN/NOTIFY, for deployments that
 * want no Redis. One channel per deployment; the listening connection is postgres.js's own and reconnects by
 * itself. Big batches are sent as a seq range that receivers read from the change log, which every instance
 * shares here anyway.
 */
export class PostgresBus extends SharedBus {
  private readonly ready: Promise<unknown>;
  private stopListening: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: PostgresDatabase,
    private readonly feed: ChangeFeed,
    private readonly channel: string,
  ) {
    super();
    this.ready = db.listen(channel, (payload) => void this.receive(JSON.parse(payload) as BusEnvelope)).then((stop) => {
      this.stopListening = stop;
    });
  }

  async connected(): Promise<void> {
    await this.ready;
  }

  protected async send(envelope: BusEnvelope): Promise<void> {
    const text = JSON.stringify(envelope);
    if (Buffer.byteLength(text) <= maxPayloadBytes) return this.db.notify(this.channel, text);
    if (!('events' in envelope)) throw new Error('A signal is too large for PostgreSQL NOTIFY.');
    const first = envelope.events[0];
    const last = envelope.events.at(-1);
    if (first && last) await this.db.notify(this.channel, JSON.stringify({ from: this.id, range: [first.seq, last.seq] } satisfies BusEnvelope));
  }

  protected override async eventsIn([first, last]: [number, number]): Promise<ChangeEvent[]> {
    return (await this.feed.since(first - 1, last - first + 1)).filter((event) => event.seq <= last);
  }

  protected async disconnect(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.stopListening?.();
  }
}
