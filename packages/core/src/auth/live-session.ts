import type { SessionEndReason } from '@causeway/wire';
import type { CausewayRecord } from '../records/record.js';
import type { Caller } from '../rules/caller.js';

/** A signed-in caller: a user of an auth collection or an admin. */
export type SignedCaller = Extract<Caller, { kind: 'user' | 'admin' }>;

/** Why a session ended, as connections are told (the wire's reasons; docs/realtime.md, docs/graphql.md). */
export type { SessionEndReason };

/** Whether a client can recover by refreshing its access token (the session itself is still live). */
export function endsTokenOnly(reason: SessionEndReason): boolean {
  return reason === 'expired' || reason === 'key_retired';
}

/** The abort reason of a live session's signal. */
export class SessionEnded extends Error {
  constructor(readonly reason: SessionEndReason) {
    super(`The session ended: ${reason}.`);
    this.name = 'SessionEnded';
  }
}

/**
 * A signed-in session as a long-lived connection holds it: who (the caller, whose account fields follow changes
 * to the account), until when, and a signal that fires once when the session ends for any reason — on this
 * instance or, through the bus's cluster signals, on another.
 *
 * @example
 * const session = await auth.open(token);
 * session.signal.addEventListener('abort', () => endSubscriptions(session.endReason));
 * // …and when the connection closes or authenticates again:
 * session.release();
 */
export interface LiveSession {
  readonly caller: SignedCaller;
  readonly realm: string;
  readonly subject: string;
  readonly sessionId: string;
  /** When the access token it was opened with expires, in ms since the epoch. */
  readonly expiresAtMs: number;
  /** Aborted (with a `SessionEnded` reason) when the session ends. */
  readonly signal: AbortSignal;
  /** Why it ended; undefined while it is live. */
  readonly endReason: SessionEndReason | undefined;
  /** Stops watching it (the connection closed or changed token). Does not end the session and fires nothing. */
  release(): void;
}

/** The longest a timer can wait in Node; expiries further away are re-armed. */
const maxTimerMs = 2 ** 31 - 1;

class WatchedSession implements LiveSession {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  endReason: SessionEndReason | undefined;

  constructor(
    public caller: SignedCaller,
    readonly realm: string,
    readonly sessionId: string,
    readonly expiresAtMs: number,
    readonly kid: string,
    private readonly registry: LiveSessions,
  ) {
    this.arm();
  }

  get subject(): string {
    return this.caller.kind === 'user' ? this.caller.record.id : this.caller.id;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  end(reason: SessionEndReason): void {
    if (this.endReason) return;
    this.endReason = reason;
    this.release();
    this.controller.abort(new SessionEnded(reason));
  }

  release(): void {
    clearTimeout(this.timer);
    this.registry.forget(this);
  }

  private arm(): void {
    const wait = this.expiresAtMs - Date.now();
    this.timer = setTimeout(() => (wait > maxTimerMs ? this.arm() : this.end('expired')), Math.max(0, Math.min(wait, maxTimerMs)));
    this.timer.unref();
  }
}

/**
 * The live sessions this instance's connections hold, by session and by account, so that whatever ends a session
 * (here, or on another instance through a cluster signal) reaches every connection using it at once.
 */
export class LiveSessions {
  private readonly bySession = new Map<string, Set<WatchedSession>>();
  private readonly byAccount = new Map<string, Set<WatchedSession>>();

  watch(caller: SignedCaller, realm: string, sessionId: string, expiresAtMs: number, kid: string): LiveSession {
    const session = new WatchedSession(caller, realm, sessionId, expiresAtMs, kid, this);
    add(this.bySession, sessionId, session);
    add(this.byAccount, accountKey(realm, session.subject), session);
    return session;
  }

  /** Called by a session that ended or was released. */
  forget(session: WatchedSession): void {
    remove(this.bySession, session.sessionId, session);
    remove(this.byAccount, accountKey(session.realm, session.subject), session);
  }

  endSession(sessionId: string, reason: SessionEndReason): void {
    for (const session of [...(this.bySession.get(sessionId) ?? [])]) session.end(reason);
  }

  /** Ends every session of an account, except `keep` (the session that changed the password). */
  endAccount(realm: string, subject: string, reason: SessionEndReason, keep?: string): void {
    for (const session of [...(this.byAccount.get(accountKey(realm, subject)) ?? [])]) if (session.sessionId !== keep) session.end(reason);
  }

  /** Ends the sessions whose realm is gone (an auth collection was deleted or changed type). */
  endRealms(isRealm: (realm: string) => boolean): void {
    for (const set of [...this.bySession.values()]) for (const session of [...set]) if (!isRealm(session.realm)) session.end('account_deleted');
  }

  /** Ends the sessions opened with an access token whose signing key no longer verifies. */
  retireKeys(verifying: ReadonlySet<string>): void {
    for (const set of [...this.bySession.values()]) for (const session of [...set]) if (!verifying.has(session.kid)) session.end('key_retired');
  }

  /** The account changed: rules read its fields, so connections act with the new ones from now on. */
  updateAccount(realm: string, record: CausewayRecord): void {
    for (const session of this.byAccount.get(accountKey(realm, record.id)) ?? []) {
      if (session.caller.kind === 'user') session.caller = { ...session.caller, record };
    }
  }

  /** Ids of the sessions watched here (for the periodic check that none was revoked unheard). */
  sessionIds(): string[] {
    return [...this.bySession.keys()];
  }

  get size(): number {
    return this.bySession.size;
  }
}

function accountKey(realm: string, subject: string): string {
  return `${realm}\u0000${subject}`;
}

function add(map: Map<string, Set<WatchedSession>>, key: string, session: WatchedSession): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(session);
}

function remove(map: Map<string, Set<WatchedSession>>, key: string, session: WatchedSession): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(session);
  if (set.size === 0) map.delete(key);
}
