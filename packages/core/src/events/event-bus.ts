import type { ChannelMember } from '@causeway/wire';
import type { SessionEndReason } from '../auth/live-session.js';
import type { ChangeEvent } from './change-event.js';

export type ChangeListener = (events: readonly ChangeEvent[]) => void;

export type { ChannelMember };

/**
 * What one instance tells the others besides record changes: state they hold in memory that just went stale
 * (the sender has already applied it; receivers reload or forget), and realtime channel traffic.
 */
export type ClusterSignal =
  | { kind: 'schema' }
  | { kind: 'settings' }
  // Sessions that ended: receivers drop cached callers and end the live sessions their connections hold.
  // `reason` is absent from older senders (read as `revoked`); `keep` is the session a password change kept.
  | { kind: 'session-ended'; sessionId: string; reason?: SessionEndReason }
  | { kind: 'account-signed-out'; realm: string; subject: string; reason?: SessionEndReason; keep?: string }
  // Realtime channels span instances: joins, leaves and messages, and each instance's periodic roster (so
  // members of an instance that died without a goodbye expire).
  | { kind: 'channel-join' | 'channel-leave'; channel: string; member: ChannelMember }
  | { kind: 'channel-message'; channel: string; from: ChannelMember; payload: unknown }
  | { kind: 'channel-roster'; seats: { channel: string; member: ChannelMember }[] };

export type SignalListener = (signal: ClusterSignal) => void;

/**
 * Carries committed changes to whoever listens (realtime, subscriptions, caches), and signals between
 * instances. Implementations: in-process; Redis pub/sub or PostgreSQL LISTEN/NOTIFY when several instances
 * share one database. Events of one publish are in commit order; across publishes, listeners must not rely
 * on order or completeness (the realtime hub reads the change log on gaps).
 */
export interface EventBus {
  publish(events: readonly ChangeEvent[]): Promise<void>;
  subscribe(listener: ChangeListener): () => void;
  /** Tells the other instances (never this one). */
  signal(signal: ClusterSignal): Promise<void>;
  onSignal(listener: SignalListener): () => void;
  close(): Promise<void>;
}
