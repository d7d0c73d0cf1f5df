import WebSocket from 'ws';
import type { Json, TestServer } from './test-server.js';

/** A real `ws` client speaking the realtime protocol, with a queue of what it received. */
export interface RealtimeClient {
  socket: WebSocket;
  received: Json[];
  send(message: Record<string, unknown>): void;
  /** Resolves with the first message (from `received`, oldest first, consumed) that matches. */
  next(match: (message: Json) => boolean, timeoutMs?: number): Promise<Json>;
  /** Sends `sync` and waits for its answer: every change committed before has then been delivered. */
  sync(): Promise<number>;
  /** Removes and returns the messages received so far that match. */
  take(match: (message: Json) => boolean): Json[];
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

let requests = 0;

export async function connect(t: Pick<TestServer, 'url'>, token?: string): Promise<RealtimeClient> {
  const socket = new WebSocket(`${t.url.replace('http', 'ws')}/api/realtime`);
  const received: Json[] = [];
  const waiters: { match: (m: Json) => boolean; resolve: (m: Json) => void }[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    const waiter = waiters.findIndex((w) => w.match(message));
    if (waiter >= 0) waiters.splice(waiter, 1)[0]!.resolve(message);
    else received.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const client: RealtimeClient = {
    socket,
    received,
    closed,
    send: (message) => socket.send(JSON.stringify(message)),
    next(match, timeoutMs = 5000) {
      const index = received.findIndex(match);
      if (index >= 0) return Promise.resolve(received.splice(index, 1)[0]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching message; received: ${JSON.stringify(received).slice(0, 2000)}`)), timeoutMs);
        waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
    async sync() {
      const req = `sync${++requests}`;
      client.send({ type: 'sync', req });
      return (await client.next((m) => m.type === 'synced' && m.req === req)).seq;
    },
    take(match) {
      const taken = received.filter(match);
      for (const message of taken) received.splice(received.indexOf(message), 1);
      return taken;
    },
    async close() {
      if (socket.readyState === WebSocket.CLOSED) return;
      socket.close();
      await closed;
    },
  };
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  await client.next((m) => m.type === 'welcome');
  if (token) {
    client.send({ type: 'auth', token });
    const answer = await client.next((m) => m.type === 'authenticated' || m.type === 'error');
    if (answer.type === 'error') throw new Error(`auth failed: ${JSON.stringify(answer)}`);
  }
  return client;
}
