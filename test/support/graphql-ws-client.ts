import WebSocket from 'ws';
import type { Json } from './test-server.js';

/** A raw graphql-transport-ws connection (graphql-ws's protocol), so tests see every message and the close code. */
export interface GraphQLWsClient {
  socket: WebSocket;
  received: Json[];
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  /** Starts an operation (query, mutation or subscription) under `id`. */
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
  /** The first message (oldest first, consumed) that matches. */
  next(match: (message: Json) => boolean, timeoutMs?: number): Promise<Json>;
  close(): void;
}

/** Connects and completes connection_init; rejects when the server refuses it. */
export async function connectGraphQLWs(baseUrl: string, token?: string): Promise<GraphQLWsClient> {
  const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/api/graphql`, 'graphql-transport-ws');
  const received: Json[] = [];
  const waiters: { match: (m: Json) => boolean; resolve: (m: Json) => void }[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    const waiter = waiters.findIndex((w) => w.match(message));
    if (waiter >= 0) waiters.splice(waiter, 1)[0]!.resolve(message);
    else received.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const client: GraphQLWsClient = {
    socket,
    received,
    closed,
    subscribe: (id, query, variables) => socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, ...(variables ? { variables } : {}) } })),
    next(match, timeoutMs = 5000) {
      const index = received.findIndex(match);
      if (index >= 0) return Promise.resolve(received.splice(index, 1)[0]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching message; received: ${JSON.stringify(received).slice(0, 2000)}`)), timeoutMs);
        waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
    close: () => socket.close(),
  };
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }));
  const ack = await Promise.race([client.next((m) => m.type === 'connection_ack'), closed.then((c) => ({ type: 'closed', ...c }))]);
  if (ack.type !== 'connection_ack') throw Object.assign(new Error(`connection refused: ${ack.code} ${ack.reason}`), { code: ack.code });
  return client;
}
