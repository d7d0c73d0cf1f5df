import { errorFromProblem, type CausewayError, type Problem } from './errors.js';
import { applyOps, type ListOp } from './list-ops.js';
import type { Transport, WebSocketConstructor } from './transport.js';

export interface RecordChange<T> {
  op: 'insert' | 'update' | 'remove';
  seq: number;
  record: T;
}

export interface SubscriptionHandlers<T> {
  onChange(change: RecordChange<T>): void;
  /** The server could not replay everything missed (too old): refetch what you show. */
  onResync?(): void;
  onError?(error: CausewayError): void;
}

/** A live query's current result, kept equal to a fresh `list` with the same options. */
export interface LiveQuery<T> {
  readonly items: readonly T[];
  stop(): void;
}

type Spec =
  | { kind: 'collection'; collection: string; filter?: string }
  | { kind: 'record'; collection: string; id: string }
  | { kind: 'query'; collection: string; filter?: string; sort?: string; limit?: number };

interface Entry {
  spec: Spec;
  /** Whether it was subscribed on the current socket (after a reconnect it is sent again). */
  sent: boolean;
  /** The last change-log position received for it: where a resume starts. */
  seq: number | undefined;
  handle(message: ServerMessage): void;
}

type ServerMessage = { type: string; sub?: string; seq?: number; reason?: string; problem?: Problem; req?: string; [key: string]: unknown };

/**
 * One WebSocket for every subscription. It connects when first needed, authenticates with the session's token
 * (and again after each refresh), and after a drop reconnects with backoff and resumes every subscription from
 * its own last sequence number, so nothing is missed or repeated. Positions are kept per subscription, never one
 * for the connection: a subscription replaying from far back gets older `seq`s than another already live on the
 * same connection (docs/realtime.md, "Ordering and resume").
 */
export class RealtimeClient {
  private socket: WebSocket | undefined;
  private ready: Promise<void> | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly waiting = new Map<string, (message: ServerMessage) => void>();
  private counter = 0;
  private attempts = 0;
  private closed = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** The position the current connection's `welcome` named: a subscription sent on it starts no earlier. */
  private welcomeSeq: number | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly WebSocketImpl: WebSocketConstructor | undefined,
  ) {
    transport.onSession((session) => {
      if (this.socket?.readyState === 1) this.sendAuth(session?.token ?? null);
    });
  }

  /** Follows a collection (optionally filtered): inserts, updates and removes, in commit order. */
  subscribe<T>(collection: string, options: { filter?: string | { toString(): string } }, handlers: SubscriptionHandlers<T>): () => void {
    const spec: Spec = { kind: 'collection', collection, ...(options.filter === undefined ? {} : { filter: String(options.filter) }) };
    return this.add(spec, handlers as SubscriptionHandlers<unknown>);
  }

  /** Follows one record. */
  subscribeRecord<T>(collection: string, id: string, handlers: SubscriptionHandlers<T>): () => void {
    return this.add({ kind: 'record', collection, id }, handlers as SubscriptionHandlers<unknown>);
  }

  /** A list kept equal to `list({ filter, sort, limit })`; `onChange` gets the new items after each change. */
  liveQuery<T>(collection: string, options: { filter?: string | { toString(): string }; sort?: string; limit?: number }, onChange: (items: readonly T[]) => void, onError?: (error: CausewayError) => void): LiveQuery<T> {
    const spec: Spec = {
      kind: 'query',
      collection,
      ...(options.filter === undefined ? {} : { filter: String(options.filter) }),
      ...(options.sort === undefined ? {} : { sort: options.sort }),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
    };
    const live = { items: [] as T[], stop: () => undefined as void };
    const id = this.nextId();
    this.entries.set(id, {
      spec,
      sent: false,
      seq: undefined,
      handle: (message) => {
        if (message.type === 'snapshot') live.items = message.items as T[];
        else if (message.type === 'diff') live.items = applyOps(live.items, message.ops as ListOp<T>[]);
        else if (message.type === 'error' && message.problem) return onError?.(errorFromProblem(message.problem));
        else return;
        onChange(live.items);
      },
    });
    live.stop = () => this.remove(id);
    void this.connect().then(() => this.sendSubscribe(id));
    return live;
  }

  /** Resolves once every change committed so far has been delivered to this client. */
  async sync(): Promise<number> {
    await this.connect();
    const req = this.nextId();
    const answer = new Promise<ServerMessage>((resolve) => this.waiting.set(req, resolve));
    this.send({ type: 'sync', req });
    return Number((await answer).seq);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.close();
  }

  private add(spec: Spec, handlers: SubscriptionHandlers<unknown>): () => void {
    const id = this.nextId();
    const entry: Entry = {
      spec,
      sent: false,
      seq: undefined,
      handle: (message) => {
        if (message.type === 'event') handlers.onChange({ op: message.op as RecordChange<unknown>['op'], seq: Number(message.seq), record: message.record });
        else if (message.type === 'resync') handlers.onResync?.();
        else if (message.type === 'error' && message.problem) handlers.onError?.(errorFromProblem(message.problem));
      },
    };
    this.entries.set(id, entry);
    void this.connect().then(() => this.sendSubscribe(id));
    return () => this.remove(id);
  }

  private remove(id: string): void {
    if (this.entries.delete(id) && this.socket?.readyState === 1) this.send({ type: 'unsubscribe', sub: id });
  }

  private nextId(): string {
    return `s${++this.counter}`;
  }

  private connect(): Promise<void> {
    this.ready ??= new Promise<void>((resolve, reject) => {
      const Impl = this.WebSocketImpl ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      if (!Impl) return reject(new Error('No WebSocket: pass { WebSocket } from the "ws" package in Node 20.'));
      const url = new URL('/api/realtime', this.transport.baseUrl);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      const socket = new Impl(url.toString());
      this.socket = socket;
      socket.onmessage = (event: MessageEvent) => {
        const message = JSON.parse(String(event.data)) as ServerMessage;
        if (message.type === 'welcome') {
          this.welcomeSeq = typeof message.seq === 'number' ? message.seq : undefined;
          void this.welcome().then(resolve, reject);
          return;
        }
        this.dispatch(message);
      };
      socket.onclose = () => {
        this.socket = undefined;
        this.ready = undefined;
        for (const entry of this.entries.values()) entry.sent = false;
        if (!this.closed) this.scheduleReconnect();
      };
      socket.onerror = () => undefined;
    });
    return this.ready;
  }

  /** After (re)connecting: authenticate, then resume every subscription from where it was. */
  private async welcome(): Promise<void> {
    this.attempts = 0;
    const token = await this.transport.accessToken().catch(() => null);
    if (token) this.sendAuth(token);
    for (const id of this.entries.keys()) this.sendSubscribe(id);
  }

  private scheduleReconnect(): void {
    const delay = Math.min(5000, 100 * 2 ** this.attempts++) * (0.5 + Math.random() / 2);
    this.reconnectTimer = setTimeout(() => void this.connect().catch(() => this.scheduleReconnect()), delay);
  }

  private dispatch(message: ServerMessage): void {
    if (message.req && this.waiting.has(message.req)) {
      this.waiting.get(message.req)!(message);
      this.waiting.delete(message.req);
      return;
    }
    if (message.type === 'auth_expired' || (message.type === 'unsubscribed' && message.reason === 'token_expired')) {
      // Refresh, authenticate again, and resume the subscriptions the expiry ended.
      if (message.type === 'auth_expired') void this.transport.refresh().catch(() => null).then((session) => {
        if (session) this.sendAuth(session.token);
        for (const [id, entry] of this.entries) {
          entry.sent = false;
          this.sendSubscribe(id);
        }
      });
      return;
    }
    if (message.type === 'unsubscribed' && message.reason === 'session_ended') {
      const ended = message.sub === undefined ? undefined : this.entries.get(message.sub);
      if (ended) ended.sent = false;
      return;
    }
    if (message.type === 'session_ended') {
      // `expired` and `key_retired` are followed by `auth_expired` (handled above); any other end means the
      // session is over everywhere (signed out, password changed, account deleted, revoked): forget it and go on
      // as anonymous, resuming what the rules still allow.
      if (message.reason === 'expired' || message.reason === 'key_retired') return;
      this.transport.setSession(null);
      for (const id of this.entries.keys()) this.sendSubscribe(id);
      return;
    }
    if (!message.sub) return;
    const entry = this.entries.get(message.sub);
    if (!entry) return;
    if (typeof message.seq === 'number' && (message.type === 'event' || message.type === 'subscribed' || message.type === 'resync')) entry.seq = Math.max(entry.seq ?? 0, message.seq);
    entry.handle(message);
  }

  private sendAuth(token: string | null): void {
    if (token) this.send({ type: 'auth', token });
  }

  private sendSubscribe(id: string): void {
    const entry = this.entries.get(id);
    if (!entry || entry.sent || this.socket?.readyState !== 1) return;
    entry.sent = true;
    const since = entry.spec.kind === 'query' || entry.seq === undefined ? {} : { since: entry.seq };
    this.send({ type: 'subscribe', sub: id, ...entry.spec, ...since });
    // Cut before its first message, it resumes from the connection's start rather than from "now" on the next
    // connection, which would skip what was committed in between (at worst it replays a few older changes once).
    if (entry.spec.kind !== 'query' && entry.seq === undefined) entry.seq = this.welcomeSeq;
  }

  private send(message: Record<string, unknown>): void {
    this.socket?.send(JSON.stringify(message));
  }
}
