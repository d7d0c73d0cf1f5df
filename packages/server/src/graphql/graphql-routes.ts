import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GraphQLError, parse, validate, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema, type ValidationRule } from 'graphql';

type PromiseOrValue<T> = T | Promise<T>;
type Compiled = CompiledQuery<Record<string, unknown>, Record<string, unknown>> | ExecutionResult;
import { createHandler } from 'graphql-http/lib/use/fastify';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { anonymousCaller, type AuthService, type RealtimeHub, type RecordsService, type SchemaRegistry } from '@causeway/core';
import { bearerToken, ConnectionSession } from '../auth/connection-session.js';
import { buildGraphQLSchema, newContext, type GraphQLContext } from './build-schema.js';
import { toGraphQLError } from './errors.js';
import { explorerRoutes, wantsExplorer } from './explorer.js';
import { allRules, causewayRules, type GraphQLLimits } from './limits.js';

export const graphqlPath = '/api/graphql';

/** graphql-ws close code when the connection's session ends (docs/graphql.md); reconnect with a fresh token. */
export const sessionEndedCloseCode = 4403;

export interface GraphQLDeps {
  schema: SchemaRegistry;
  records: RecordsService;
  hub: RealtimeHub;
  auth: AuthService;
  limits: GraphQLLimits;
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

/** `/api/graphql`: GraphQL over HTTP (graphql-http) and subscriptions over graphql-ws, on one path. */
export function graphqlRoutes(app: FastifyInstance, deps: GraphQLDeps): { handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void; close(): Promise<void> } {
  const current = new CurrentSchema(deps.schema);
  const rules = allRules(deps.limits);

  const documents = new DocumentCache();
  const handler = createHandler<GraphQLContext>({
    schema: () => current.get(),
    parse: (source) => documents.parse(typeof source === 'string' ? source : source.body),
    validate: (schema, document, rules) => documents.validate(schema, document, rules ?? allRules(deps.limits)),
    execute: (args) => documents.execute(args),
    context: (request) => newContext((request.raw as FastifyRequest).caller ?? anonymousCaller, deps.records, deps.hub),
    // graphql-http adds these to graphql-js's own rules.
    validationRules: causewayRules(deps.limits),
    formatError: (error) => formatted(error),
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

  // Subscriptions (and queries, if a client prefers) over the graphql-ws protocol.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const server = useServer<Record<string, unknown>, { session?: ConnectionSession }>(
    {
      context: (ctx) => newContext(ctx.extra.session?.caller ?? anonymousCaller, deps.records, deps.hub),
      // A signed-in connection holds a live session from connection_init on; when it ends (sign-out, password
      // change, account deletion, revocation, expiry, key retirement), every operation ends with the socket.
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        if (authorization === undefined) return true;
        const token = bearerToken(authorization);
        const session = token ? await deps.auth.open(token).catch(() => undefined) : undefined;
        if (!session) return false;
        const socket = ctx.extra.socket;
        ctx.extra.session = new ConnectionSession((reason) => socket.close(sessionEndedCloseCode, `session ended: ${reason}`));
        ctx.extra.session.use(session);
        if (socket.readyState !== socket.OPEN) ctx.extra.session.release();
        return true;
      },
      onClose: (ctx) => ctx.extra.session?.release(),
      onSubscribe: (ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] => {
        const schema = current.get();
        let document;
        try {
          document = documents.parse(payload.query);
        } catch (error) {
          return [toGraphQLError(error instanceof GraphQLError ? new GraphQLError(error.message, { extensions: { code: 'BAD_REQUEST', status: 400 } }) : error)];
        }
        const errors = documents.validate(schema, document, rules);
        if (errors.length > 0) return errors.map(formatted);
        return {
          schema,
          document,
          variableValues: payload.variables ?? null,
          operationName: payload.operationName ?? null,
          contextValue: newContext(ctx.extra.session?.caller ?? anonymousCaller, deps.records, deps.hub),
        };
      },
    },
    wss,
  );

  return {
    handleUpgrade: (request, socket, head) => wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request)),
    close: async () => {
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * Parsed and validated operations, by text and schema. Clients send the same few operations over and over,
 * and parsing and validating cost more than executing a small query. Validation results are kept per schema
 * object, so a schema change (a new object) validates everything afresh.
 */
class DocumentCache {
  private readonly parsed = new Map<string, DocumentNode>();
  private readonly validated = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, readonly GraphQLError[]>>();
  private readonly compiled = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, Compiled>>>();

  parse(source: string): DocumentNode {
    let document = this.parsed.get(source);
    if (!document) {
      document = parse(source);
      if (this.parsed.size >= 1000) this.parsed.delete(this.parsed.keys().next().value!);
      this.parsed.set(source, document);
    }
    return document;
  }

  validate(schema: GraphQLSchema, document: DocumentNode, rules: readonly ValidationRule[]): readonly GraphQLError[] {
    let bySchema = this.validated.get(schema);
    if (!bySchema) this.validated.set(schema, (bySchema = new WeakMap()));
    let errors = bySchema.get(document);
    if (!errors) {
      errors = validate(schema, document, rules);
      bySchema.set(document, errors);
    }
    return errors;
  }

  /**
   * Runs a query or mutation compiled to JavaScript by graphql-jit (once per operation and schema): several
   * times faster than interpreting the document on every request.
   */
  execute(args: ExecutionArgs): PromiseOrValue<ExecutionResult> {
    let bySchema = this.compiled.get(args.schema);
    if (!bySchema) this.compiled.set(args.schema, (bySchema = new WeakMap()));
    let byOperation = bySchema.get(args.document);
    if (!byOperation) bySchema.set(args.document, (byOperation = new Map()));
    const name = args.operationName ?? '';
    let compiled = byOperation.get(name);
    if (!compiled) {
      compiled = compileQuery(args.schema, args.document, args.operationName ?? undefined) as Compiled;
      byOperation.set(name, compiled);
    }
    if (!isCompiledQuery(compiled)) return compiled as ExecutionResult;
    return compiled.query(args.rootValue, args.contextValue, (args.variableValues ?? {}) as Record<string, unknown>) as PromiseOrValue<ExecutionResult>;
  }
}

/** Validation and syntax errors get codes too, so every error a client sees carries `extensions.code`. */
function formatted(error: GraphQLError | Error): GraphQLError {
  if (!(error instanceof GraphQLError)) return toGraphQLError(error);
  if (error.extensions?.code) return error;
  if (error.originalError && !(error.originalError instanceof GraphQLError)) {
    const converted = toGraphQLError(error.originalError);
    return new GraphQLError(converted.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: converted, extensions: converted.extensions });
  }
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: { code: 'INVALID_QUERY', status: 400 } });
}
