import type { ListOp } from './list-op.js';
import type { Problem } from './problem.js';
import type { WireRecord } from './wire-record.js';

/** Any JSON value: what a channel message may carry. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a realtime client asks to follow (`subscribe` without its `type` and `sub`); docs/realtime.md. */
export type SubscribeSpec =
  | { kind: 'collection'; collection: string; filter?: string; expand?: string[]; since?: number }
  | { kind: 'record'; collection: string; id: string; expand?: string[]; since?: number }
  | { kind: 'query'; collection: string; filter?: string; sort?: string; limit?: number; expand?: string[] };

/** Every message a client may send on `/api/realtime`. */
export type RealtimeClientMessage =
  | { type: 'auth'; token: string }
  | ({ type: 'subscribe'; sub: string } & SubscribeSpec)
  | { type: 'unsubscribe'; sub: string }
  | { type: 'create'; req: string; collection: string; data: unknown }
  | { type: 'update'; req: string; collection: string; id: string; data: unknown; ifMatch?: string }
  | { type: 'delete'; req: string; collection: string; id: string; ifMatch?: string }
  | { type: 'join'; channel: string; req?: string }
  | { type: 'leave'; channel: string; req?: string }
  | { type: 'send'; channel: string; payload: JsonValue; req?: string }
  | { type: 'sync'; req: string };

/** What a change to a followed record means for the subscriber. */
export type RecordOp = 'insert' | 'update' | 'remove';

/** Messages about one subscription; every one names it and a change-log position. */
export type SubscriptionMessage<R = WireRecord> =
  | { type: 'subscribed'; sub: string; seq: number }
  | { type: 'snapshot'; sub: string; seq: number; items: R[] }
  /** `version`: the record's version tag (what If-Match and `ifMatch` take), when the change log knows it. */
  | { type: 'event'; sub: string; seq: number; op: RecordOp; record: R; version?: string }
  | { type: 'diff'; sub: string; seq: number; ops: ListOp<R>[] }
  | { type: 'resync'; sub: string; seq: number; reason: string };

/** Why the server ended a subscription (`unsubscribed`'s `reason`). */
export type UnsubscribedReason = 'requested' | 'forbidden' | 'collection_deleted' | 'invalid' | 'session_ended' | 'token_expired';

/**
 * Why a session ended, as connections are told. `expired` and `key_retired` end the access token only: the
 * refresh token still gives a new one. The others end the session itself.
 */
export type SessionEndReason = 'signed_out' | 'signed_out_everywhere' | 'password_changed' | 'account_deleted' | 'revoked' | 'expired' | 'key_retired';

/** A realtime channel member as other members see it (the connection id is unique across instances). */
export interface ChannelMember {
  connection: string;
  kind: 'anonymous' | 'user' | 'admin';
  id?: string;
  collection?: string;
}

/** Every message the server sends on `/api/realtime`. */
export type RealtimeServerMessage<R = WireRecord> =
  | SubscriptionMessage<R>
  | { type: 'welcome'; protocol: number; connection: string; seq: number }
  | { type: 'authenticated'; caller: { kind: 'anonymous' | 'user' | 'admin' | 'system'; id?: string; collection?: string }; expiresIn?: number }
  | { type: 'auth_expired' }
  | { type: 'session_ended'; reason: SessionEndReason }
  | { type: 'unsubscribed'; sub: string; reason: UnsubscribedReason }
  | { type: 'ack'; req: string; record?: R; seq?: number }
  | { type: 'synced'; req: string; seq: number }
  | { type: 'joined'; channel: string; members: ChannelMember[]; req?: string }
  | { type: 'left'; channel: string; req?: string }
  | { type: 'presence'; channel: string; event: 'join' | 'leave'; member: ChannelMember }
  | { type: 'message'; channel: string; from: ChannelMember; payload: unknown }
  | { type: 'error'; req?: string; sub?: string; problem: Problem };
