import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { execute as interpret, getOperationAST, GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-http/lib/use/fastify';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { anonymousCaller, jsonDeeperThan, maxJsonDepth, type AuthService, type FileStorage, type RealtimeHub, type RecordsService, type SchemaRegistry } from '@causeway/core';
import { ConnectionBudget, type ConnectionLimits } from '../http/connection-limits.js';
import { bearerToken, ConnectionSession } from '../auth/connection-session.js';
import { buildGraphQLSchema, newContext, type GraphQLContext } from './build-schema.js';
import { DocumentCache, type PromiseOrValue } from './document-cache.js';
import { toGraphQLError } from './errors.js';
import { explorerRoutes, wantsExplorer } from './explorer.js';
import { allRules, limitError, variableCostError, type GraphQLLimits } from './limits.js';

/** Where unexpected errors are logged (the request's logger over HTTP, so the line carries the request id). */
export interface ErrorLog {
  error(object: object, message: string): void;
}

export const graphqlPath = '/api/graphql';

/** Deepest nesting of the variables (a `where` nests two levels per AND/OR; a json value up to its own limit). */
export const maxVariablesDepth = 2 * maxJsonDepth;
/** graphql-ws close code when the connection's session ends (docs/graphql.md); reconnect with a fresh token. */
export const sessionEndedCloseCode = 4403;

export interface GraphQLDeps {
  schema: SchemaRegistry;
  records: RecordsService;
  hub: RealtimeHub;
  auth: AuthService;
  limits: GraphQLLimits;
  /** The same per-connection limits as /api/realtime, for graphql-ws. */
  connectionLimits: ConnectionLimits;
  /** Where files live (`File.size`). */
  files?: FileStorage;
  log: ErrorLog & { warn(object: object, message: string): void };
}

/**
 * Holds the GraphQL schema of the current collections. It is rebuilt whole on every schema change and swapped
 * in one assignment: an operation takes the schema once, so it never sees a half-built one.
 */
class CurrentSchema {
  private schema: GraphQLSchema | undefined;

  constructor(private readonly registry: SchemaRegistry) {
    registry.onChange(() => (this.schema = undefined));
  }

  get(): GraphQLSchema {
    this.schema ??= buildGraphQLSchema(this.registry.list());
    return this.schema;
  }
}

interface OperationParams {
  query?: unknown;
  variables?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
}

/** What graphql-ws keeps per connection. */
interface SocketExtra extends Record<PropertyKey, unknown> {
  socket: WebSocket;
  /** The live session of a signed-in connection, from connection_init on. */
  session?: ConnectionSession;
  budget?: ConnectionBudget;
  /** Subscriptions open, by graphql-ws operation id. */
  subscriptions?: Set<string>;
}

/** `/api/graphql`: GraphQL over HTTP (graphql-http) and subscriptions over graphql-ws, on one path. */
export function graphqlRoutes(app: FastifyInstance, deps: GraphQLDeps): { handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void; close(): Promise<void> } {
  const current = new CurrentSchema(deps.schema);
  const rules = allRules(deps.limits);
  const documents = new DocumentCache();
  // The request's logger while graphql-http handles it, for errors found where no request is at hand.
  // The request's logger, by the context of its operation, so unexpected errors are logged with the request id.
  // (Not an AsyncLocalStorage: on Node 20 one turns on promise hooks for the whole process, a cost every request pays.)
  const loggers = new WeakMap<GraphQLContext, ErrorLog>();
  // The connection each graphql-ws operation runs for, to count it in flight there.
  const budgets = new WeakMap<GraphQLContext, ConnectionBudget>();

  /**
   * Every operation, over HTTP and graphql-ws, goes through here before it runs: the document's size and
   * nesting, parsing and validation (both cached), then the checks that need the variables.
   */
  const prepare = (params: OperationParams, contextValue: GraphQLContext): (ExecutionArgs & { contextValue: GraphQLContext }) | readonly GraphQLError[] => {
    const schema = current.get();
    if (typeof params.query !== 'string') return [new GraphQLError('The request has no query text.', { extensions: { code: 'BAD_REQUEST', status: 400 } })];
    let document: DocumentNode;
    try {
      document = documents.parse(params.query);
    } catch (error) {
      if (error instanceof GraphQLError) return [error];
      throw error;
    }
    const errors = documents.validate(schema, document, rules);
    if (errors.length > 0) return errors;
    const variables = params.variables ?? undefined;
    if (variables !== undefined && jsonDeeperThan(variables, maxVariablesDepth)) return [limitError(`The variables nest deeper than ${maxVariablesDepth} levels.`, 'depth')];
    const costly = variableCostError(document, params.operationName, variables, deps.limits);
    if (costly) return [costly];
    return { schema, document, variableValues: variables ?? null, operationName: params.operationName ?? null, contextValue };
  };

  const handler = createHandler<GraphQLContext>({
    schema: () => current.get(),
    onSubscribe: (request, params) => {
      const raw = request.raw as FastifyRequest;
      const contextValue = newContext(raw.caller ?? anonymousCaller, deps.records, deps.hub, undefined, deps.files);
      loggers.set(contextValue, raw.log);
      return prepare(params, contextValue);
    },
    // Errors of an execution are formatted (and the unexpected ones logged) here, where the request is known.
    execute: (args) => withFormattedErrors(documents.execute(args), loggers.get(args.contextValue as GraphQLContext) ?? deps.log),
    // What is left (request, syntax and validation errors) comes before any execution.
    formatError: (error) => (error instanceof GraphQLError && error.extensions?.code ? error : formatted(error, deps.log)),
  });
  const explorer = deps.limits.introspection ? explorerRoutes(app) : undefined;
  app.route({
    method: ['GET', 'POST'],
    url: graphqlPath,
    handler: (request, reply) => {
      if (explorer && wantsExplorer(request)) return reply.type('text/html; charset=utf-8').header('content-security-policy', explorer.csp).send(explorer.page);
      return handler.call(app, request, reply);
    },
  });

  // Subscriptions (and queries, if a client prefers) over the graphql-ws protocol, held to the same
  // per-connection limits as /api/realtime.
  const limits = deps.connectionLimits;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });
  const server = useServer<Record<string, unknown>, SocketExtra>(
    {
      // A signed-in connection holds a live session from connection_init on; when it ends (sign-out, password
      // change, account deletion, revocation, expiry, key retirement), every operation ends with the socket.
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const socket = ctx.extra.socket;
        if (authorization !== undefined) {
          const token = bearerToken(authorization);
          const session = token ? await deps.auth.open(token).catch(() => undefined) : undefined;
          if (!session) return false;
          ctx.extra.session = new ConnectionSession((reason) => socket.close(sessionEndedCloseCode, `session ended: ${reason}`));
          ctx.extra.session.use(session);
          if (socket.readyState !== socket.OPEN) ctx.extra.session.release();
        }
        // graphql-ws subscriptions have no resume position: the client subscribes again and refetches.
        ctx.extra.budget = new ConnectionBudget(socket, limits, 'too slow: reconnect, subscribe again and refetch what changed meanwhile');
        ctx.extra.subscriptions = new Set();
        return true;
      },
      onClose: (ctx) => ctx.extra.session?.release(),
      onSubscribe: (ctx, id, payload): ExecutionArgs | readonly GraphQLError[] => {
        const { budget, subscriptions } = ctx.extra;
        const contextValue = newContext(ctx.extra.session?.caller ?? anonymousCaller, deps.records, deps.hub, budget, deps.files);
        if (budget) budgets.set(contextValue, budget);
        const prepared = prepare(payload, contextValue);
        if (!('schema' in prepared)) return prepared.map((error) => formatted(error, deps.log));
        const operation = getOperationAST(prepared.document, prepared.operationName);
        if (!operation) return [new GraphQLError('No operation of that name in the document.', { extensions: { code: 'INVALID_QUERY', status: 400 } })];
        if (operation.operation === 'subscription' && subscriptions) {
          if (subscriptions.size >= limits.maxSubscriptions) return [new GraphQLError(`At most ${limits.maxSubscriptions} subscriptions per connection.`, { extensions: { code: 'RATE_LIMITED', status: 429 } })];
          subscriptions.add(id);
        }
        return prepared;
      },
      // Queries and mutations count as in flight while they run, whatever becomes of their answer.
      execute: async (args) => {
        const budget = budgets.get(args.contextValue as GraphQLContext);
        budget?.begin();
        try {
          return await interpret(args);
        } finally {
          budget?.end();
        }
      },
      onError: (ctx) => {
        ctx.extra.budget?.overflows();
      },
      onNext: (ctx, _id, _payload, _args, result) => {
        logUnexpected(result.errors, deps.log);
        // A client that stopped reading is closed (4008) rather than buffered for; the send that follows is dropped.
        ctx.extra.budget?.overflows();
      },
      onComplete: (ctx, id) => {
        ctx.extra.subscriptions?.delete(id);
      },
    },
    wss,
  );

  return {
    handleUpgrade: (request, socket, head) => wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request)),
    close: async () => {
      // A connection no longer read (too many operations in flight) could not complete a close handshake.
      for (const client of wss.clients) if (client.isPaused) client.terminate();
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** An execution result whose errors all carry a catalogue code, the unexpected ones logged to `log`. */
function withFormattedErrors(result: PromiseOrValue<ExecutionResult>, log: ErrorLog): PromiseOrValue<ExecutionResult> {
  const format = (done: ExecutionResult): ExecutionResult => (done.errors?.length ? { ...done, errors: done.errors.map((error) => formatted(error, log)) } : done);
  return result instanceof Promise ? result.then(format) : format(result);
}

/** Logs the errors of a result that no client caused: they answer INTERNAL, and the log says why. */
function logUnexpected(errors: readonly GraphQLError[] | undefined, log: ErrorLog): void {
  for (const error of errors ?? []) {
    if (error.extensions?.code !== 'INTERNAL') continue;
    // A CausewayError made from an unexpected error keeps that error as its cause: log the cause.
    const original = error.originalError as (Error & { cause?: unknown }) | undefined;
    log.error({ err: original?.cause ?? original ?? error, path: error.path }, 'GraphQL operation failed');
  }
}

/**
 * Every error a client sees carries `extensions.code`: validation and syntax errors are INVALID_QUERY, the
 * request errors graphql-http raises as plain `Error`s (a body that is an array, no query) BAD_REQUEST, and
 * anything else is logged and answers INTERNAL.
 */
function formatted(error: GraphQLError | Error, log: ErrorLog): GraphQLError {
  if (!(error instanceof GraphQLError)) {
    if (error.constructor === Error) return new GraphQLError(`Bad request: ${error.message}.`, { extensions: { code: 'BAD_REQUEST', status: 400 } });
    const converted = toGraphQLError(error);
    logUnexpected([converted], log);
    return converted;
  }
  if (error.extensions?.code) {
    logUnexpected([error], log);
    return error;
  }
  if (error.originalError && !(error.originalError instanceof GraphQLError)) {
    const converted = toGraphQLError(error.originalError);
    logUnexpected([converted], log);
    return new GraphQLError(converted.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: converted, extensions: converted.extensions });
  }
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: { code: 'INVALID_QUERY', status: 400 } });
}
