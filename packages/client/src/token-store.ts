/** The tokens of a signed-in session. */
export interface Session {
  token: string;
  refreshToken: string;
  /** `users`, another auth collection, or `_admins`. */
  realm: string;
}

/** Where the client keeps its session between calls (and page loads). */
export interface TokenStore {
  get(): Session | null;
  set(session: Session | null): void;
}

export function memoryStore(): TokenStore {
  let session: Session | null = null;
  return { get: () => session, set: (next) => void (session = next) };
}

/** Keeps the session in `localStorage` under `key`, so it survives a reload (browsers only). */
export function localStorageStore(key = 'causeway.session'): TokenStore {
  return {
    get() {
      const text = globalThis.localStorage?.getItem(key);
      try {
        return text ? (JSON.parse(text) as Session) : null;
      } catch {
        return null;
      }
    },
    set(session) {
      if (session) globalThis.localStorage?.setItem(key, JSON.stringify(session));
      else globalThis.localStorage?.removeItem(key);
    },
  };
}

/** Seconds until a JWT expires (from its payload, unverified: the server verifies). */
export function secondsLeft(token: string, now = Date.now()): number {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return typeof json.exp === 'number' ? json.exp - now / 1000 : Infinity;
  } catch {
    return Infinity;
  }
}
