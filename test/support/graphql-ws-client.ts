import { openJsonSocket, type JsonSocket } from './json-socket.js';

/** A raw graphql-transport-ws connection (graphql-ws's protocol), so tests see every message and the close code. */
export interface GraphQLWsClient extends Omit<JsonSocket, 'close'> {
  /** Starts an operation (query, mutation or subscription) under `id`. */
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
  close(): void;
}

/** Connects and completes connection_init; rejects when the server refuses it. */
export async function connectGraphQLWs(baseUrl: string, token?: string): Promise<GraphQLWsClient> {
  const socket = await openJsonSocket(`${baseUrl.replace('http', 'ws')}/api/graphql`, 'graphql-transport-ws');
  const client: GraphQLWsClient = {
    ...socket,
    subscribe: (id, query, variables) => socket.send({ id, type: 'subscribe', payload: { query, ...(variables ? { variables } : {}) } }),
    close: () => socket.socket.close(),
  };
  socket.send({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} });
  const ack = await Promise.race([client.next((m) => m.type === 'connection_ack'), socket.closed.then((c) => ({ type: 'closed', ...c }))]);
  if (ack.type !== 'connection_ack') throw Object.assign(new Error(`connection refused: ${ack.code} ${ack.reason}`), { code: ack.code });
  return client;
}
