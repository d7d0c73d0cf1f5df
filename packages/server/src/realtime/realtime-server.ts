import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  CausewayError,
  jsonDeeperThan,
  maxJsonDepth,
  endsTokenOnly,
  type AuthService,
  type Caller,
  type CausewayRecord,
  type ChannelRules,
  type ClusterSignal,
  type EndReason,
  type EventBus,
  type HubMessage,
  type RealtimeHub,
  type RecordsService,
  type SessionEndReason,
  type Subscriber,
  type Subscription,
} from '@causeway/core';
import type { RealtimeServerMessage } from '@causeway/wire';
import { ConnectionSession } from '../auth/connection-session.js';
import { asCausewayError, toProblem } from '../rest/problem.js';
import { ConnectionBudget, type ConnectionLimits } from '../http/connection-limits.js';
import { Channels, type ChannelMember } from './channels.js';
import { MessageEncoder } from './message-encoder.js';
import { clientMessage, protocolVersion, type ClientMessage } from './protocol.js';
import { TurnCork } from './turn-cork.js';

export const realtimePath = '/api/realtime';

/** Deepest nesting of a client message: a json value of the deepest allowed, with room for the message around it. */
const maxMessageDepth = 2 * maxJsonDepth;

export interface RealtimeServerDeps {
  hub: RealtimeHub;
  auth: AuthService;
  records: RecordsService;
  channelRules: ChannelRules;
  /** Carries channel traffic to the other instances. */
  bus: EventBus;
  limits: ConnectionLimits;
  log: { warn(object: object, message: string): void };
}

/** Everything the server sends: hub messages and its own (the wire's realtime server messages). */
type ServerMessage = RealtimeServerMessage<CausewayRecord>;

/** One WebSocket: its caller, its subscriptions, its channels. */
class Connection implements Subscriber {
  readonly id = randomUUID();
  /** The live session it acts as; when that ends, the server ends what it allowed (`sessionEnded`). */
  readonly session: ConnectionSession;
  readonly subscriptions = new Map<string, Subscription>();
  /**
   * Subscriptions being set up, with the session mark they started under: they count against the limit before
   * the hub has them, and what the hub sends for them stops if the session ends meanwhile.
   */
  readonly starting = new Map<string, number>();
  /** Channels joined here, held to the limit per connection. */
  readonly channels = new Set<string>();
  readonly budget: ConnectionBudget;
  alive = true;
  closed = false;

  constructor(
    private readonly socket: WebSocket,
    /** The TCP socket under `socket`, corked for the rest of the turn whenever something is sent. */
    private readonly raw: Duplex,
    private readonly server: RealtimeServer,
  ) {
    this.budget = new ConnectionBudget(socket, server.limits);
    this.session = new ConnectionSession((reason) => server.sessionEnded(this, reason));
  }

  get caller(): Caller {
    return this.session.caller;
  }

  /** Hub and server messages alike; a consumer that falls too far behind is closed, not buffered forever. */
  deliver(message: ServerMessage): void {
    if (this.budget.overflows()) return;
    // A hub message of a subscription this connection no longer has (ended with its session while the hub
    // was still working on an event), or of one being set up for a session that has ended since, is not delivered.
    if (isHubMessage(message) && !this.subscriptions.has(message.sub)) {
      const mark = this.starting.get(message.sub);
      if (mark === undefined || this.session.endedSince(mark)) return;
    }
    this.server.cork.hold(this.raw);
    // Text frames from bytes encoded once (shared between subscribers where they may be).
    this.socket.send(this.server.encoder.encode(message), { binary: false });
  }

  /** The hub ended a subscription: the client is told why, and its id is free again. */
  ended(subscription: Subscription, reason: EndReason, error: unknown): void {
    if (this.subscriptions.get(subscription.id) === subscription) this.subscriptions.delete(subscription.id);
    this.refuse(error, { sub: subscription.id });
    this.deliver({ type: 'unsubscribed', sub: subscription.id, reason });
  }

  refuse(error: unknown, context: { req?: string; sub?: string } = {}): void {
    const problem = toProblem(asCausewayError(error));
    this.deliver({ type: 'error', ...context, problem });
  }

  ping(): void {
    this.socket.ping();
  }

  terminate(): void {
    this.socket.terminate();
  }

  dispose(): void {
    this.session.release();
  }
}

/** How often each instance tells the others who is in its channels; members unmentioned for 2.5 rosters expire. */
const rosterMs = 20_000;

/**
 * `/api/realtime`: JSON messages over one WebSocket (docs/realtime.md). A thin adapter: subscriptions go to the
 * core's realtime hub, writes to the records service, both under the connection's caller.
 */
export class RealtimeServer {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly channels = new Channels<Connection>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly roster: NodeJS.Timeout;
  private readonly stopSignals: () => void;

  constructor(private readonly deps: RealtimeServerDeps) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.limits.maxMessageBytes });
    this.heartbeat = setInterval(() => this.ping(), deps.limits.heartbeatMs);
    this.heartbeat.unref();
    this.stopSignals = deps.bus.onSignal((signal) => this.channelSignal(signal));
    this.roster = setInterval(() => this.sendRoster(), rosterMs);
    this.roster.unref();
  }

  /** Serialises each event once per visibility shape, not once per subscriber. */
  readonly encoder = new MessageEncoder();
  /** Gathers each connection's frames of one turn into one write. */
  readonly cork = new TurnCork();

  get limits(): ConnectionLimits {
    return this.deps.limits;
  }

  /** Takes over an HTTP upgrade request for the realtime path. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, socket));
  }

  /**
   * The connection's session ended (sign-out, password change, account deletion, revocation, token expiry, key
   * retirement; here or on another instance): it is anonymous from now on, and everything it held as that account
   * ends at once — every subscription (`unsubscribed`) and channel — then the client is told (`session_ended`).
   * Ending them all, rather than re-judging them as anonymous, is the one choice that cannot leave a subscription
   * running on a judgement made for the account (docs/realtime.md).
   */
  sessionEnded(connection: Connection, reason: SessionEndReason): void {
    const tokenOnly = endsTokenOnly(reason);
    for (const sub of this.release(connection)) connection.deliver({ type: 'unsubscribed', sub, reason: tokenOnly ? 'token_expired' : 'session_ended' });
    connection.deliver({ type: 'session_ended', reason });
    // What protocol 1 clients know: refresh the token and authenticate again.
    if (tokenOnly) connection.deliver({ type: 'auth_expired' });
  }

  /** Ends every subscription of a connection and takes it out of its channels; returns the ended ids. */
  private release(connection: Connection): string[] {
    const ended = [...connection.subscriptions.keys()];
    for (const subscription of connection.subscriptions.values()) this.deps.hub.unsubscribe(subscription);
    connection.subscriptions.clear();
    if (connection.channels.size > 0) this.channels.leaveAll(connection.id, (channel, member, others) => this.left(channel, member, others));
    connection.channels.clear();
    return ended;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    clearInterval(this.roster);
    this.stopSignals();
    for (const connection of this.connections) connection.dispose();
    // A connection no longer read (too many operations in flight) could not complete a close handshake.
    for (const client of this.wss.clients) {
      if (client.isPaused) client.terminate();
      else client.close(1001, 'server shutting down');
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket, raw: Duplex): void {
    const connection = new Connection(ws, raw, this);
    this.connections.add(connection);
    ws.on('pong', () => (connection.alive = true));
    // One message at a time, in order: an `auth` must take effect before the `subscribe` sent after it. Messages
    // waiting their turn count as in flight, so a client sending faster than it is answered is no longer read.
    let inOrder: Promise<void> = Promise.resolve();
    ws.on('message', (data: RawData, isBinary: boolean) => {
      connection.budget.begin();
      inOrder = inOrder.then(() =>
        this.receive(connection, data, isBinary)
          .catch((error: unknown) => connection.refuse(error))
          .finally(() => connection.budget.end()),
      );
    });
    ws.on('close', () => {
      connection.closed = true;
      this.connections.delete(connection);
      connection.dispose();
      this.release(connection);
    });
    ws.on('error', (error) => this.deps.log.warn({ err: error }, 'realtime connection error'));
    connection.deliver({ type: 'welcome', protocol: protocolVersion, connection: connection.id, seq: this.deps.hub.position });
  }

  private async receive(connection: Connection, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) throw new CausewayError('BAD_REQUEST', 'Messages are JSON text, not binary.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch (error) {
      throw new CausewayError('MALFORMED_JSON', `The message is not valid JSON: ${(error as Error).message}`);
    }
    // Validating and relaying a value recurses on its nesting: refuse what could exhaust the stack.
    if (jsonDeeperThan(parsed, maxMessageDepth)) throw new CausewayError('BAD_REQUEST', `The message nests deeper than ${maxMessageDepth} levels.`);
    const result = clientMessage.safeParse(parsed);
    if (!result.success) {
      const req = typeof (parsed as { req?: unknown })?.req === 'string' ? (parsed as { req: string }).req : undefined;
      const detail = result.error.issues.map((issue) => `${issue.path.join('.') || 'message'}: ${issue.message}`).join('; ');
      return connection.refuse(new CausewayError('BAD_REQUEST', `Not a message of protocol ${protocolVersion}: ${detail}`), req ? { req } : {});
    }
    await this.handle(connection, result.data);
  }

  private async handle(connection: Connection, message: ClientMessage): Promise<void> {
    switch (message.type) {
      case 'auth':
        return this.authenticate(connection, message.token);
      case 'subscribe':
        return this.subscribe(connection, message);
      case 'unsubscribe': {
        const subscription = connection.subscriptions.get(message.sub);
        if (subscription) this.deps.hub.unsubscribe(subscription);
        connection.subscriptions.delete(message.sub);
        return connection.deliver({ type: 'unsubscribed', sub: message.sub, reason: 'requested' });
      }
      case 'create':
      case 'update':
      case 'delete':
        return this.write(connection, message);
      case 'sync':
        return connection.deliver({ type: 'synced', req: message.req, seq: await this.deps.hub.sync() });
      case 'join':
      case 'leave':
      case 'send':
        return this.channel(connection, message);
    }
  }

  private async authenticate(connection: Connection, token: string): Promise<void> {
    let session;
    try {
      session = await this.deps.auth.open(token);
    } catch (error) {
      return connection.refuse(error);
    }
    if (connection.closed) return session.release();
    connection.session.use(session);
    const caller = connection.caller;
    const expiresAtMs = session.expiresAtMs;
    await this.rejudge(connection);
    const who = caller.kind === 'user' ? { kind: caller.kind, id: caller.record.id, collection: caller.collection } : caller.kind === 'admin' ? { kind: caller.kind, id: caller.id } : { kind: caller.kind };
    connection.deliver({ type: 'authenticated', caller: who, expiresIn: Math.max(0, Math.round((expiresAtMs - Date.now()) / 1000)) });
  }

  /** Judges the connection's subscriptions again under its caller; ends those no longer allowed. */
  private async rejudge(connection: Connection): Promise<void> {
    const refused = await this.deps.hub.refresh([...connection.subscriptions.values()]);
    for (const { subscription, error } of refused) connection.ended(subscription, 'forbidden', error);
  }

  private async subscribe(connection: Connection, message: Extract<ClientMessage, { type: 'subscribe' }>): Promise<void> {
    const { sub, type: _type, ...spec } = message;
    if (connection.subscriptions.has(sub) || connection.starting.has(sub)) {
      return connection.refuse(new CausewayError('BAD_REQUEST', `Subscription '${sub}' exists; unsubscribe first or pick another id.`), { sub });
    }
    if (connection.subscriptions.size + connection.starting.size >= this.deps.limits.maxSubscriptions) {
      return connection.refuse(new CausewayError('RATE_LIMITED', `At most ${this.deps.limits.maxSubscriptions} subscriptions per connection.`), { sub });
    }
    const mark = connection.session.mark;
    connection.starting.set(sub, mark);
    try {
      const subscription = await this.deps.hub.subscribe(connection, sub, spec);
      // The socket may have closed, or the hub ended it (a schema change), while it was being set up.
      if (connection.closed || subscription.closed) this.deps.hub.unsubscribe(subscription);
      else if (connection.session.endedSince(mark)) {
        // Judged for a session that has ended since: it ends like the connection's other subscriptions did.
        this.deps.hub.unsubscribe(subscription);
        connection.deliver({ type: 'unsubscribed', sub, reason: 'session_ended' });
      } else if (connection.session.changedSince(mark)) {
        connection.subscriptions.set(sub, subscription);
        await this.rejudge(connection);
      } else connection.subscriptions.set(sub, subscription);
    } catch (error) {
      connection.refuse(error, { sub });
    } finally {
      connection.starting.delete(sub);
    }
  }

  private async write(connection: Connection, message: Extract<ClientMessage, { type: 'create' | 'update' | 'delete' }>): Promise<void> {
    const { records } = this.deps;
    try {
      if (message.type === 'create') {
        const created = await records.create(connection.caller, message.collection, message.data);
        return connection.deliver({ type: 'ack', req: message.req, record: created.record, ...(created.seq === undefined ? {} : { seq: created.seq }) });
      }
      const options = message.ifMatch === undefined ? {} : { ifMatch: message.ifMatch };
      if (message.type === 'update') {
        const updated = await records.update(connection.caller, message.collection, message.id, message.data, options);
        return connection.deliver({ type: 'ack', req: message.req, record: updated.record, ...(updated.seq === undefined ? {} : { seq: updated.seq }) });
      }
      const { seq } = await records.delete(connection.caller, message.collection, message.id, options);
      connection.deliver({ type: 'ack', req: message.req, seq });
    } catch (error) {
      connection.refuse(error, { req: message.req });
    }
  }

  private channel(connection: Connection, message: Extract<ClientMessage, { type: 'join' | 'leave' | 'send' }>): void {
    const req = message.req === undefined ? {} : { req: message.req };
    const member = memberOf(connection);
    if (message.type === 'leave') {
      connection.channels.delete(message.channel);
      const others = this.channels.leave(message.channel, connection.id);
      if (others) this.left(message.channel, member, others);
      return connection.deliver({ type: 'left', channel: message.channel, ...req });
    }
    const action = message.type === 'join' ? 'join' : 'send';
    if (!this.deps.channelRules.allows(action, connection.caller, message.channel)) {
      return connection.refuse(new CausewayError('FORBIDDEN', `You are not allowed to ${action === 'join' ? 'join' : 'send to'} channel '${message.channel}'.`), req);
    }
    if (message.type === 'join') {
      if (!connection.channels.has(message.channel) && connection.channels.size >= this.deps.limits.maxChannels) {
        return connection.refuse(new CausewayError('RATE_LIMITED', `At most ${this.deps.limits.maxChannels} channels per connection; leave one first.`), req);
      }
      connection.channels.add(message.channel);
      const { members, others } = this.channels.join(message.channel, member, connection);
      this.announce(others, { type: 'presence', channel: message.channel, event: 'join', member });
      this.relay({ kind: 'channel-join', channel: message.channel, member });
      return connection.deliver({ type: 'joined', channel: message.channel, members, ...req });
    }
    const others = this.channels.othersIn(message.channel, connection.id);
    if (!others) return connection.refuse(new CausewayError('BAD_REQUEST', `Join channel '${message.channel}' before sending to it.`), req);
    this.announce(others, { type: 'message', channel: message.channel, from: member, payload: message.payload });
    this.relay({ kind: 'channel-message', channel: message.channel, from: member, payload: message.payload });
    if (message.req !== undefined) connection.deliver({ type: 'ack', req: message.req });
  }

  private announce(targets: Iterable<Connection>, message: ServerMessage): void {
    for (const target of targets) target.deliver(message);
  }

  /** A local member left a channel: its local members hear it here, the other instances' through the bus. */
  private left(channel: string, member: ChannelMember, others: Connection[]): void {
    this.announce(others, { type: 'presence', channel, event: 'leave', member });
    this.relay({ kind: 'channel-leave', channel, member });
  }

  /** Tells the other instances about channel traffic here; a lost message is healed by the next roster. */
  private relay(signal: ClusterSignal): void {
    this.deps.bus.signal(signal).catch((error: unknown) => this.deps.log.warn({ err: error }, 'relaying channel traffic failed'));
  }

  /** Channel traffic from another instance, delivered to this instance's members of the channel. */
  private channelSignal(signal: ClusterSignal): void {
    const now = Date.now();
    if (signal.kind === 'channel-message') {
      this.announce(this.channels.targetsIn(signal.channel), { type: 'message', channel: signal.channel, from: signal.from, payload: signal.payload });
    } else if (signal.kind === 'channel-join') {
      if (this.channels.remoteJoin(signal.channel, signal.member, now)) this.tellPresence(signal.channel, 'join', signal.member);
    } else if (signal.kind === 'channel-leave') {
      if (this.channels.remoteLeave(signal.channel, signal.member.connection)) this.tellPresence(signal.channel, 'leave', signal.member);
    } else if (signal.kind === 'channel-roster') {
      for (const { channel, member } of signal.seats) {
        if (this.channels.remoteJoin(channel, member, now)) this.tellPresence(channel, 'join', member);
      }
    }
  }

  private tellPresence(channel: string, event: 'join' | 'leave', member: ChannelMember): void {
    this.announce(this.channels.targetsIn(channel), { type: 'presence', channel, event, member });
  }

  /** Says who is here, and forgets members of instances that stopped saying so (they died without a goodbye). */
  private sendRoster(): void {
    const seats = this.channels.localSeats();
    if (seats.length > 0) this.relay({ kind: 'channel-roster', seats });
    for (const { channel, member } of this.channels.expire(Date.now() - rosterMs * 2.5)) this.tellPresence(channel, 'leave', member);
  }

  /** Terminates connections that did not answer the previous ping. */
  private ping(): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        connection.terminate();
        continue;
      }
      connection.alive = false;
      connection.ping();
    }
  }
}

function memberOf(connection: Connection): ChannelMember {
  const caller = connection.caller;
  if (caller.kind === 'user') return { connection: connection.id, kind: 'user', id: caller.record.id, collection: caller.collection };
  if (caller.kind === 'admin') return { connection: connection.id, kind: 'admin', id: caller.id };
  return { connection: connection.id, kind: 'anonymous' };
}

const hubMessageTypes: ReadonlySet<string> = new Set<HubMessage['type']>(['subscribed', 'snapshot', 'event', 'diff', 'resync']);

function isHubMessage(message: ServerMessage): message is HubMessage {
  return hubMessageTypes.has(message.type);
}
