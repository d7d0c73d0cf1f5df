import { AuthApi } from './auth.js';
import { CollectionApi } from './collection.js';
import { RealtimeClient } from './realtime.js';
import { Transport, type ClientOptions } from './transport.js';
import type { ErrorCode } from './errors.js';
import type { CollectionName, RecordOf, SchemaTypes, UntypedSchema } from './types.js';

export type BatchOperation<S extends SchemaTypes> = {
  [N in CollectionName<S>]:
    | { action: 'create'; collection: N; data: S[N]['create'] }
    | { action: 'update'; collection: N; id: string; data: S[N]['update']; ifMatch?: string }
    | { action: 'delete'; collection: N; id: string; ifMatch?: string };
}[CollectionName<S>];

export type BatchResult = { action: 'create' | 'update'; record: Record<string, unknown> & { id: string }; etag: string } | { action: 'delete'; id: string };

export interface GraphQLResult<T> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: ErrorCode } & Record<string, unknown> }[];
}

/** A typed client for one Causeway. `createClient<Schema>(url)` with the schema from `causeway types`. */
export class CausewayClient<S extends SchemaTypes = UntypedSchema> {
  readonly transport: Transport;
  /** Accounts of the `users` auth collection; `auth.collection('staff')` for another one. */
  readonly auth: AuthApi<RecordOf<S, 'users' extends CollectionName<S> ? 'users' : CollectionName<S>>>;
  /** Admin sessions (`/api/admins`). */
  readonly admins: AuthApi<{ id: string; email: string; created: string; updated: string }>;
  readonly realtime: RealtimeClient<S>;

  constructor(url: string, options: ClientOptions = {}) {
    this.transport = new Transport(url, options);
    this.auth = new AuthApi(this.transport, 'users');
    this.admins = new AuthApi(this.transport, '_admins');
    this.realtime = new RealtimeClient<S>(this.transport, options.WebSocket);
  }

  collection<N extends CollectionName<S>>(name: N): CollectionApi<S, N> {
    return new CollectionApi<S, N>(this.transport, name);
  }

  /**
   * A short-lived token for downloading protected files as the signed-in account (`fileUrl(..., { token })`),
   * valid `expiresIn` seconds.
   */
  fileToken(): Promise<{ token: string; expiresIn: number }> {
    return this.transport.request('POST', '/api/files/token');
  }

  /** Several writes in one transaction: all or none. */
  async batch(operations: readonly BatchOperation<S>[]): Promise<BatchResult[]> {
    return (await this.transport.request<{ results: BatchResult[] }>('POST', '/api/batch', { body: { operations } })).results;
  }

  /** A GraphQL operation; errors in the result stay in `errors` (with `extensions.code`). */
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>> {
    return this.transport.request<GraphQLResult<T>>('POST', '/api/graphql', {
      body: { query, ...(variables ? { variables } : {}) },
      headers: { accept: 'application/graphql-response+json' },
      errorBody: true,
    });
  }
}

export function createClient<S extends SchemaTypes = UntypedSchema>(url: string, options: ClientOptions = {}): CausewayClient<S> {
  return new CausewayClient<S>(url, options);
}
