import WebSocket from 'ws';
import type { Json } from './test-server.js';

/** A real `ws` client exchanging JSON messages, with a queue of what it received that tests take from. */
export interface JsonSocket {
  socket: WebSocket;
  received: Json[];
  send(message: Record<string, unknown>): void;
  /** Resolves with the first message (from `received`, oldest first, consumed) that matches. */
  next(match: (message: Json) => boolean, timeoutMs?: number): Promise<Json>;
  /** Removes and returns the messages received so far that match. */
  take(match: (message: Json) => boolean): Json[];
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

/** Opens `url` (with `protocol`, if any) and resolves once the socket is open. */
export async function openJsonSocket(url: string, protocol?: string): Promise<JsonSocket> {
  const socket = protocol ? new WebSocket(url, protocol) : new WebSocket(url);
  const received: Json[] = [];
  const waiters: { match: (m: Json) => boolean; resolve: (m: Json) => void }[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    const waiter = waiters.findIndex((w) => w.match(message));
    if (waiter >= 0) waiters.splice(waiter, 1)[0]!.resolve(message);
    else received.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const client: JsonSocket = {
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
  return client;
}
