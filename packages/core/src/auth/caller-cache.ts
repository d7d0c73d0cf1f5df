import type { Caller } from '../rules/caller.js';

type Signed = Extract<Caller, { kind: 'user' | 'admin' }>;

interface Entry {
  caller: Signed;
  realm: string;
  until: number;
}

/**
 * Callers already authenticated, by access token. Verifying a token and loading its session and account cost
 * more than the request they guard, and a client sends the same token for minutes. Entries are dropped when
 * their session ends or their account changes (this process is told), and live at most `ttlMs` and never past
 * the token's expiry, which bounds staleness for changes made by other processes.
 */
export class CallerCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 10_000,
    private readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): Signed | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.caller;
  }

  set(token: string, caller: Signed, realm: string, expiresAtMs: number): void {
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { caller, realm, until: Math.min(expiresAtMs, this.now() + this.ttlMs) });
  }

  forgetSession(sessionId: string): void {
    this.forgetWhere((entry) => entry.caller.sessionId === sessionId);
  }

  forgetAccount(realm: string, id: string): void {
    this.forgetWhere((entry) => entry.realm === realm && (entry.caller.kind === 'user' ? entry.caller.record.id : entry.caller.id) === id);
  }

  /** Forgets everything (the signing keys changed: some cached tokens may no longer verify). */
  clear(): void {
    this.entries.clear();
  }

  private forgetWhere(test: (entry: Entry) => boolean): void {
    for (const [token, entry] of this.entries) if (test(entry)) this.entries.delete(token);
  }
}
