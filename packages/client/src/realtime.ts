import type { RealtimeClientMessage, RealtimeServerMessage, RecordOp, SubscribeSpec } from '@causeway/wire';
import { errorFromProblem, type CausewayError } from './errors.js';
import { applyOps } from './list-ops.js';
import type { Transport, WebSocketConstructor } from './transport.js';
import type { CollectionName, FilterOption, QueryOptions, RelationOf, SchemaTypes, Selected, UntypedSchema } from './types.js';

export interface RecordChange<T> {
  op: RecordOp;
  seq: number;
  record: T;
  /** The record's version as of this change (what `update(id, data, { ifMatch })` takes), when the server knows it. */
  version?: string;
}

/** What a collection subscription follows: a filter, and relations to expand in every event's record. */
export interface SubscribeOptions<S extends SchemaTypes, N extends CollectionName<S>, E extends RelationOf<S, N>, W extends string> {
  filter?: FilterOption<S, N, W>;
  expand?: readonly E[];
}

/** A live query: filter, sort, limit, and relations to expand in its records. */
export interface LiveQueryOptions<S extends SchemaTypes, N extends CollectionName<S>, E extends RelationOf<S, N>, W extends string, O extends string> extends QueryOptions<S, N, W, O> {
  limit?: number;
  expand?: readonly E[];
}

/** A record as a subscription of `N` delivers it, with the relations `E` expanded. */
export type Delivered<S extends SchemaTypes, N extends CollectionName<S>, E extends RelationOf<S, N>> = Selected<S, N, never, E>;

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

interface Entry {
  spec: SubscribeSpec;
  /** Whether it was subscribed on the current socket (after a reconnect it is sent again). */
  sent: boolean;
  /** The last change-log position received for it: where a resume starts. */
  seq: number | undefined;
  handle(message: ServerMessage): void;
}

type ServerMessage = RealtimeServerMessage;

/**
 * One WebSocket for every subscription. It connects when first needed, authenticates with the session's token
 * (and again after each refresh), and after a drop reconnects with backoff and resumes every subscription from
 * its own last sequence number, so nothing is missed or repeated. Positions are kept per subscription, never one
 * for the connection: a subscription replaying from far back gets older `seq`s than another already live on the
 * same connection (docs/realtime.md, "Ordering and resume").
 */
export class RealtimeClient<S extends SchemaTypes = UntypedSchema> {
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

  /**
   * Follows a collection (optionally filtered): inserts, updates and removes, in commit order, each record with the
   * relations in `expand` expanded as a read would (only related records you may view).
   */
  subscribe<N extends CollectionName<S>, E extends RelationOf<S, N> = never, W extends string = never>(
    collection: N,
    options: SubscribeOptions<S, N, E, W>,
    handlers: SubscriptionHandlers<Delivered<S, N, E>>,
  ): () => void {
    const spec: SubscribeSpec = { kind: 'collection', collection, ...filterOf(options), ...expandOf(options) };
    return this.add(spec, handlers as SubscriptionHandlers<unknown>);
  }

  /** Follows one record, with the relations in `expand` expanded. */
  subscribeRecord<N extends CollectionName<S>, E extends RelationOf<S, N> = never>(
    collection: N,
    id: string,
    handlers: SubscriptionHandlers<Delivered<S, N, E>>,
    options: { expand?: readonly E[] } = {},
  ): () => void {
    return this.add({ kind: 'record', collection, id, ...expandOf(options) }, handlers as SubscriptionHandlers<unknown>);
  }

  /** A list kept equal to `list({ filter, sort, limit, expand })`; `onChange` gets the new items after each change. */
  liveQuery<N extends CollectionName<S>, E extends RelationOf<S, N> = never, W extends string = never, O extends string = never>(
    collection: N,
    options: LiveQueryOptions<S, N, E, W, O>,
    onChange: (items: readonly Delivered<S, N, E>[]) => void,
    onError?: (error: CausewayError) => void,
  ): LiveQuery<Delivered<S, N, E>> {
    type T = Delivered<S, N, E>;
    const spec: SubscribeSpec = {
      kind: 'query',
      collection,
      ...filterOf(options),
      ...(options.sort === undefined ? {} : { sort: options.sort }),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...expandOf(options),
    };
    const live = { items: [] as T[], stop: () => undefined as void };
    const id = this.nextId();
    this.entries.set(id, {
      spec,
      sent: false,
      seq: undefined,
      handle: (message) => {
        // The server sends records of this query as asked: expanded by `expand`, as `T` says.
        if (message.type === 'snapshot') live.items = message.items as unknown as T[];
        else if (message.type === 'diff') live.items = applyOps(live.items as readonly unknown[], message.ops) as T[];
        else if (message.type === 'error') return onError?.(errorFromProblem(message.problem));
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
    const synced = await answer;
    return synced.type === 'synced' ? synced.seq : Number.NaN;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.close();
  }

  private add(spec: SubscribeSpec, handlers: SubscriptionHandlers<unknown>): () => void {
    const id = this.nextId();
    const entry: Entry = {
      spec,
      sent: false,
      seq: undefined,
      handle: (message) => {
        if (message.type === 'event') handlers.onChange({ op: message.op, seq: message.seq, record: message.record, ...(message.version === undefined ? {} : { version: message.version }) });
        else if (message.type === 'resync') handlers.onResync?.();
        else if (message.type === 'error') handlers.onError?.(errorFromProblem(message.problem));
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
          this.welcomeSeq = message.seq;
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
    const req = 'req' in message ? message.req : undefined;
    if (req && this.waiting.has(req)) {
      this.waiting.get(req)!(message);
      this.waiting.delete(req);
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
      const ended = this.entries.get(message.sub);
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
    const sub = 'sub' in message ? message.sub : undefined;
    if (!sub) return;
    const entry = this.entries.get(sub);
    if (!entry) return;
    if (message.type === 'event' || message.type === 'subscribed' || message.type === 'resync') entry.seq = Math.max(entry.seq ?? 0, message.seq);
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

  private send(message: RealtimeClientMessage): void {
    this.socket?.send(JSON.stringify(message));
  }
}

/** The filter as the server takes it: text (a `Filter` prints itself). */
function filterOf(options: { filter?: unknown }): { filter?: string } {
  return options.filter === undefined ? {} : { filter: String(options.filter) };
}

function expandOf(options: { expand?: readonly string[] }): { expand?: string[] } {
  return options.expand?.length ? { expand: [...options.expand] } : {};
}
