import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { CausewayError, CollectionsService, MemoryBus, RecordsService, SchemaRegistry, type EventBus, type SqlDatabase } from '@causeway/core';
import type { Config } from './config/config.js';
import { LazyChildLogger } from './logging/lazy-child-logger.js';
import { openapiRoutes } from './openapi/openapi-routes.js';
import { collectionsRoutes } from './rest/collections-routes.js';
import { problemContentType, sendProblem, toProblem } from './rest/problem.js';
import { recordsRoutes } from './rest/records-routes.js';
import { SqliteDatabase } from './store/sqlite/sqlite-database.js';
import { serverVersion } from './version.js';

export interface CausewayServer {
  app: FastifyInstance;
  db: SqlDatabase;
  bus: EventBus;
  schema: SchemaRegistry;
  collections: CollectionsService;
  records: RecordsService;
  /** Stops accepting connections, lets in-flight requests finish, then closes the database. */
  close(): Promise<void>;
}

export interface ServerDeps {
  config: Config;
  /** Defaults to the SQLite file the config names. */
  db?: SqlDatabase;
  bus?: EventBus;
}

function openDatabase(config: Config): SqlDatabase {
  mkdirSync(config.dataDir, { recursive: true });
  return new SqliteDatabase(config.db.file);
}

/** Builds the whole server: storage, core services and every surface. The one place things are wired. */
export async function createServer({ config, db = openDatabase(config), bus = new MemoryBus() }: ServerDeps): Promise<CausewayServer> {
  const schema = new SchemaRegistry();
  const collections = new CollectionsService(db, schema);
  await collections.open();
  const records = new RecordsService({ db, schema, bus });

  const app = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    bodyLimit: config.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    childLoggerFactory: (logger, bindings, options) =>
      new LazyChildLogger(logger as FastifyBaseLogger & { isLevelEnabled(level: string): boolean }, bindings, options),
  });
  // JSON is the only body Causeway reads; anything else is answered 415.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error, request, reply) => sendProblem(error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    const error = new CausewayError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`);
    return reply.code(404).type(problemContentType).send(toProblem(error, request.url));
  });
  // A callback hook, not an async one: this runs on every request and async hooks cost measurably more.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  app.get('/api/health', async () => ({ status: 'ok' }));
  await app.register(collectionsRoutes, { collections });
  await app.register(recordsRoutes, { records });
  await app.register(openapiRoutes, { schema, version: serverVersion });

  return {
    app,
    db,
    bus,
    schema,
    collections,
    records,
    async close() {
      await app.close();
      await bus.close();
      await db.close();
    },
  };
}
