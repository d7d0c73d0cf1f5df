import type { ClusterSignal, EventBus } from '../events/event-bus.js';
import type { CausewayRecord } from '../records/record.js';
import type { Caller } from '../rules/caller.js';
import { CallerCache } from './caller-cache.js';
import { LiveSessions, type LiveSession, type SessionEndReason, type SignedCaller } from './live-session.js';
import type { SessionOwner } from './sessions.js';

/** What ended: one session, or every session of an account (but `keep`, the one that changed the password). */
export type EndTarget = { sessionId: string } | (SessionOwner & { keep?: string });

/**
 * Where the ends of sessions meet what holds them on this instance: the cache of recently checked callers
 * (request surfaces) and the live sessions of connections. An end decided here applies here at once and goes to
 * the other instances as a cluster signal; an end heard from another instance applies here.
 */
export class SessionEnds {
  readonly callers = new CallerCache();
  private readonly live = new LiveSessions();
  private verifyingKids = '';

  constructor(private readonly bus: EventBus) {
    bus.onSignal((signal) => {
      if (signal.kind === 'session-ended') this.endHere({ sessionId: signal.sessionId }, signal.reason ?? 'revoked');
      if (signal.kind === 'account-signed-out') this.endHere({ realm: signal.realm, subject: signal.subject, ...(signal.keep ? { keep: signal.keep } : {}) }, signal.reason ?? 'revoked');
    });
  }

  watch(caller: SignedCaller, realm: string, sessionId: string, expiresAtMs: number, kid: string): LiveSession {
    return this.live.watch(caller, realm, sessionId, expiresAtMs, kid);
  }

  get liveCount(): number {
    return this.live.size;
  }

  liveSessionIds(): string[] {
    return this.live.sessionIds();
  }

  /** An end decided on this instance, after its transaction committed: here at once, then everywhere else. */
  end(target: EndTarget, reason: SessionEndReason): void {
    this.endHere(target, reason);
    const signal: ClusterSignal = 'sessionId' in target
      ? { kind: 'session-ended', sessionId: target.sessionId, reason }
      : { kind: 'account-signed-out', realm: target.realm, subject: target.subject, reason, ...(target.keep ? { keep: target.keep } : {}) };
    void this.bus.signal(signal).catch(() => undefined);
  }

  /** An end every instance hears by itself (a deleted account's change event, a revocation found in the database). */
  endHere(target: EndTarget, reason: SessionEndReason): void {
    if ('sessionId' in target) {
      this.callers.forgetSession(target.sessionId);
      this.live.endSession(target.sessionId, reason);
    } else {
      this.callers.forgetAccount(target.realm, target.subject);
      this.live.endAccount(target.realm, target.subject, reason, target.keep);
    }
  }

  /** The account changed: nothing keeps acting with its old fields (rules read them). */
  accountChanged(realm: string, record: CausewayRecord): void {
    this.callers.forgetAccount(realm, record.id);
    this.live.updateAccount(realm, record);
  }

  /** Realms that no longer exist (a deleted auth collection) take their sessions with them. */
  realmsChanged(isRealm: (realm: string) => boolean): void {
    this.live.endRealms(isRealm);
  }

  /** If the keys that verify changed, sessions opened with a retired key end and cached callers are dropped. */
  keysChecked(kids: ReadonlySet<string>): void {
    const text = [...kids].sort().join(',');
    if (text === this.verifyingKids) return;
    this.verifyingKids = text;
    this.callers.clear();
    this.live.retireKeys(kids);
  }

  recentCaller(token: string): Caller | undefined {
    return this.callers.get(token);
  }
}
