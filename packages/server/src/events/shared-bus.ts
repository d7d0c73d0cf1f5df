import { randomUUID } from 'node:crypto';
import type { ChangeEvent, ChangeListener, ClusterSignal, EventBus, SignalListener } from '@causeway/core';

/**
 * What travels between instances, tagged with the sending instance so it ignores its own. `range` stands in
 * for `events` too big for the transport: "changes first..last were committed; read them from the change log".
 */
export type BusEnvelope =
  | { from: string; events: ChangeEvent[] }
  | { from: string; range: [first: number, last: number] }
  | { from: string; signal: ClusterSignal };

/**
 * An event bus between instances over some transport (Redis, PostgreSQL): listeners in this process hear a
 * publish at once and directly; other instances hear it through the transport. Subclasses only send and
 * receive envelopes.
 */
export abstract class SharedBus implements EventBus {
  protected readonly id = randomUUID();
  private readonly listeners = new Set<ChangeListener>();
  private readonly signalListeners = new Set<SignalListener>();
  private outgoing: ChangeEvent[] = [];
  private sending: Promise<void> | undefined;

  /** Resolves once this instance receives what others publish. */
  abstract connected(): Promise<void>;
  protected abstract send(envelope: BusEnvelope): Promise<void>;
  protected abstract disconnect(): Promise<void>;

  /** The events a `range` envelope stands for; only transports that send ranges need it. */
  protected async eventsIn(_range: [number, number]): Promise<ChangeEvent[]> {
    return [];
  }

  async publish(events: readonly ChangeEvent[]): Promise<void> {
    for (const listener of this.listeners) listener(events);
    this.outgoing.push(...events);
    // Everything published in one turn of the event loop travels as one message: under load many writes commit
    // together, and a message each (a NOTIFY each, on PostgreSQL) cost as much as the writes themselves.
    this.sending ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const batch = this.outgoing.splice(0).sort((a, b) => a.seq - b.seq);
      this.sending = undefined;
      return this.send({ from: this.id, events: batch });
    });
    await this.sending;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async signal(signal: ClusterSignal): Promise<void> {
    await this.send({ from: this.id, signal });
  }

  onSignal(listener: SignalListener): () => void {
    this.signalListeners.add(listener);
    return () => this.signalListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.signalListeners.clear();
    await this.disconnect();
  }

  /** Hands what another instance sent to this process's listeners. */
  protected async receive(envelope: BusEnvelope): Promise<void> {
    if (envelope.from === this.id) return;
    if ('signal' in envelope) {
      for (const listener of this.signalListeners) listener(envelope.signal);
      return;
    }
    const events = 'events' in envelope ? envelope.events : await this.eventsIn(envelope.range);
    if (events.length > 0) for (const listener of this.listeners) listener(events);
  }
}
