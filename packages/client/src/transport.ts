import { errorFromProblem, NetworkError, type Problem } from './errors.js';
import { memoryStore, secondsLeft, type Session, type TokenStore } from './token-store.js';
import { sendUpload, type UploadAnswer, type UploadProgress } from './upload.js';

/** The WebSocket constructor the realtime client uses: the platform's, or `ws` in Node 20. */
export type WebSocketConstructor = new (url: string) => WebSocket;

export interface ClientOptions {
  /** Where the session is kept: `memoryStore()` (default) or `localStorageStore()`. */
  store?: TokenStore;
  fetch?: typeof globalThis.fetch;
  /** Needed in Node 20, which has no global WebSocket: pass `WebSocket` from the `ws` package. */
  WebSocket?: WebSocketConstructor;
  /** Refresh the access token this many seconds before it expires (default 60). */
  refreshMargin?: number;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  /** Send the access token (default true). */
  auth?: boolean;
  headers?: Record<string, string>;
  /** Return a non-problem error body instead of failing (GraphQL answers 400 with `{ errors }`). */
  errorBody?: boolean;
}

/** Paths of a realm's account endpoints: `_admins` or an auth collection. */
export function authPath(realm: string, action: string): string {
  return realm === '_admins' ? `/api/admins/auth/${action}` : `/api/collections/${encodeURIComponent(realm)}/auth/${action}`;
}

/**
 * HTTP to one Causeway: JSON in and out, problems as typed errors, and the session's access token kept
 * fresh. Concurrent requests that find the token about to expire share one refresh.
 */
export class Transport {
  readonly store: TokenStore;
  private refreshing: Promise<Session | null> | undefined;
  private readonly listeners = new Set<(session: Session | null) => void>();
  private readonly fetchFn: typeof globalThis.fetch;

  constructor(
    readonly baseUrl: string,
    readonly options: ClientOptions = {},
  ) {
    this.store = options.store ?? memoryStore();
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  get session(): Session | null {
    return this.store.get();
  }

  setSession(session: Session | null): void {
    this.store.set(session);
    for (const listener of this.listeners) listener(session);
  }

  /** Called with the new session after sign-in, refresh and sign-out. */
  onSession(listener: (session: Session | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A valid access token, refreshed first when it is about to expire; null when signed out. */
  async accessToken(): Promise<string | null> {
    const session = this.session;
    if (!session) return null;
    if (secondsLeft(session.token) > (this.options.refreshMargin ?? 60)) return session.token;
    return (await this.refresh())?.token ?? null;
  }

  /** Trades the refresh token for new tokens; concurrent callers share one request. */
  refresh(): Promise<Session | null> {
    this.refreshing ??= (async () => {
      const session = this.session;
      if (!session) return null;
      try {
        const result = await this.send<{ token: string; refreshToken: string }>('POST', authPath(session.realm, 'refresh'), { body: { refreshToken: session.refreshToken }, auth: false });
        const next = { token: result.token, refreshToken: result.refreshToken, realm: session.realm };
        this.setSession(next);
        return next;
      } catch (error) {
        // A refused refresh token will not work again: the session is over.
        if ((error as { status?: number }).status === 401) this.setSession(null);
        throw error;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const useAuth = options.auth ?? true;
    try {
      return await this.send<T>(method, path, options, useAuth ? await this.accessToken() : null);
    } catch (error) {
      // The token may have been revoked or the server's key rotated: one refresh, one retry.
      if (!useAuth || (error as { code?: string }).code !== 'INVALID_TOKEN' || !this.session) throw error;
      const session = await this.refresh();
      return this.send<T>(method, path, options, session?.token ?? null);
    }
  }

  /**
   * A multipart write (records with files), with upload progress; the same token handling and typed errors as
   * `request`.
   */
  async upload<T>(method: string, path: string, body: { body: Blob; contentType: string }, options: { headers?: Record<string, string>; onProgress?: (progress: UploadProgress) => void } = {}): Promise<T> {
    const attempt = async (token: string | null) => {
      const headers: Record<string, string> = { accept: 'application/json', 'content-type': body.contentType, ...options.headers };
      if (token) headers.authorization = `Bearer ${token}`;
      const url = new URL(path, this.baseUrl).toString();
      let answer: UploadAnswer;
      try {
        answer = await sendUpload(this.fetchFn, { method, url, headers, body: body.body, onProgress: options.onProgress });
      } catch (error) {
        throw new NetworkError(`Could not reach ${new URL(url).origin}: ${(error as Error).message}`, { cause: error });
      }
      const parsed: unknown = answer.text === '' ? undefined : safeJson(answer.text);
      if (answer.status >= 400) {
        if (isProblem(parsed)) throw errorFromProblem(parsed);
        throw new NetworkError(`${method} ${path} answered ${answer.status} without a problem document`);
      }
      return parsed as T;
    };
    try {
      return await attempt(await this.accessToken());
    } catch (error) {
      if ((error as { code?: string }).code !== 'INVALID_TOKEN' || !this.session) throw error;
      return attempt((await this.refresh())?.token ?? null);
    }
  }

  private async send<T>(method: string, path: string, options: RequestOptions, token: string | null = null): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue;
      url.searchParams.set(key, Array.isArray(value) ? value.join(',') : String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await this.fetchFn(url, { method, headers, ...(body === undefined ? {} : { body }) });
    } catch (error) {
      throw new NetworkError(`Could not reach ${url.origin}: ${(error as Error).message}`, { cause: error });
    }
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : safeJson(text);
    if (!response.ok) {
      if (isProblem(parsed)) throw errorFromProblem(parsed);
      if (options.errorBody && typeof parsed === 'object' && parsed !== null) return parsed as T;
      throw new NetworkError(`${method} ${url.pathname} answered ${response.status} without a problem document`);
    }
    return parsed as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && typeof (value as Problem).code === 'string' && typeof (value as Problem).status === 'number';
}
