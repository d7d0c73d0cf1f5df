import { openJsonSocket, type JsonSocket } from './json-socket.js';
import type { TestServer } from './test-server.js';

/** A real `ws` client speaking the realtime protocol, with a queue of what it received. */
export interface RealtimeClient extends JsonSocket {
  /** Sends `sync` and waits for its answer: every change committed before has then been delivered. */
  sync(): Promise<number>;
}

let requests = 0;

export async function connect(t: Pick<TestServer, 'url'>, token?: string): Promise<RealtimeClient> {
  const socket = await openJsonSocket(`${t.url.replace('http', 'ws')}/api/realtime`);
  const client: RealtimeClient = {
    ...socket,
    async sync() {
      const req = `sync${++requests}`;
      socket.send({ type: 'sync', req });
      return (await socket.next((m) => m.type === 'synced' && m.req === req)).seq;
    },
  };
  await client.next((m) => m.type === 'welcome');
  if (token) {
    client.send({ type: 'auth', token });
    const answer = await client.next((m) => m.type === 'authenticated' || m.type === 'error');
    if (answer.type === 'error') throw new Error(`auth failed: ${JSON.stringify(answer)}`);
  }
  return client;
}

/** Realtime clients a test file opens on one server, closed together in its `afterAll`. */
export function realtimeClients(server: () => Pick<TestServer, 'url'>): { open(token?: string): Promise<RealtimeClient>; closeAll(): Promise<void> } {
  const clients: RealtimeClient[] = [];
  return {
    async open(token) {
      const client = await connect(server(), token);
      clients.push(client);
      return client;
    },
    async closeAll() {
      for (const client of clients.splice(0)) await client.close();
    },
  };
}
