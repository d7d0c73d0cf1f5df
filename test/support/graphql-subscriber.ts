import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Json, TestServer } from './test-server.js';

/** One graphql-ws subscription and everything it has received so far. */
export interface GraphqlSubscription {
  /** `data` of each `next` message, oldest first. */
  data: Json[];
  /**
   * The errors the subscription ended with, if it did: the server ends a subscription it no longer allows with
   * a last `next` carrying them, then `complete` (docs/graphql.md); an `error` message counts too.
   */
  errors: Json[] | undefined;
  /** Whether the server ended the subscription (`complete` or `error`). */
  ended: boolean;
  /** Resolves when the subscription ends; rejects after `timeoutMs`. */
  end(timeoutMs?: number): Promise<void>;
  stop(): void;
}

/** A graphql-ws client on a test server, as an account (token) or anonymous. */
export interface GraphqlSubscriber {
  client: Client;
  /**
   * Starts a subscription and waits `settleMs` for the server to register it with the hub: graphql-ws has no
   * acknowledgement of a subscribe, so the tests give it the same short delay the GraphQL tests use.
   */
  subscribe(query: string, variables?: Record<string, unknown>, settleMs?: number): Promise<GraphqlSubscription>;
  dispose(): Promise<void>;
}

export function graphqlSubscriber(t: Pick<TestServer, 'url'>, token?: string): GraphqlSubscriber {
  const client = createClient({
    url: `${t.url.replace('http', 'ws')}/api/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: false,
    retryAttempts: 0,
  });
  return {
    client,
    async subscribe(query, variables, settleMs = 250) {
      let finish: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const subscription: GraphqlSubscription = {
        data: [],
        errors: undefined,
        ended: false,
        end(timeoutMs = 1000) {
          return new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`subscription did not end within ${timeoutMs} ms; received ${JSON.stringify(subscription.data).slice(0, 500)}`)), timeoutMs);
            void finished.then(() => (clearTimeout(timer), resolve()));
          });
        },
        stop: () => stop(),
      };
      const stop = client.subscribe(
        { query, ...(variables ? { variables } : {}) },
        {
          next: (value) => {
            subscription.data.push(value.data ?? { errors: value.errors });
            if (value.errors) subscription.errors = [...value.errors] as Json[];
          },
          error: (error) => {
            subscription.errors = Array.isArray(error) ? error : [error];
            subscription.ended = true;
            finish();
          },
          complete: () => {
            subscription.ended = true;
            finish();
          },
        },
      );
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      return subscription;
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}
