import type { ChangeEvent } from './change-event.js';

export type ChangeListener = (events: readonly ChangeEvent[]) => void;

/**
 * Carries committed changes to whoever listens (realtime, subscriptions). Implementations: in-process now;
 * Redis or PostgreSQL when several instances share one database. Events of one publish are in commit order.
 */
export interface EventBus {
  publish(events: readonly ChangeEvent[]): Promise<void>;
  subscribe(listener: ChangeListener): () => void;
  close(): Promise<void>;
}
