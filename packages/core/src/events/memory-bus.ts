import type { ChangeEvent } from './change-event.js';
import type { ChangeListener, ClusterSignal, EventBus, SignalListener } from './event-bus.js';

/** The single-process bus: delivers to listeners in this process, synchronously, in publish order. */
export class MemoryBus implements EventBus {
  private readonly listeners = new Set<ChangeListener>();

  async publish(events: readonly ChangeEvent[]): Promise<void> {
    for (const listener of this.listeners) listener(events);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** There is no other instance to tell. */
  async signal(_signal: ClusterSignal): Promise<void> {}

  onSignal(_listener: SignalListener): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
