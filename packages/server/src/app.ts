import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import {
  AccessTokens,
  AuthService,
  CausewayError,
  ChangeFeed,
  ChannelRules,
  CollectionsService,
  RealtimeHub,
  MemoryBus,
  RecordsService,
  SchemaRegistry,
  SettingsService,
  type EventBus,
  type Mailer,
  type SqlDatabase,
} from '@causeway/core';
import { authenticateRequests } from './auth/authenticate.js';
import { securityHeaders } from './http/security-headers.js';
import { seedUsersCollection } from './auth/default-users.js';
import { loadKeyRing } from './auth/key-ring.js';
import { RateLimiter } from './auth/rate-limiter.js';
import { FileMailer, mailFilePath } from './mail/file-mailer.js';
import { SmtpMailer } from './mail/smtp-mailer.js';
import { authRoutes } from './rest/auth-routes.js';
import { settingsRoutes } from './rest/settings-routes.js';
import { graphqlPath, graphqlRoutes } from './graphql/graphql-routes.js';
import { consoleRoutes } from './console/console-routes.js';
import { RealtimeServer, realtimePath } from './realtime/realtime-server.js';
import { RedisBus } from './events/redis-bus.js';
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
  auth: AuthService;
  hub: RealtimeHub;
  feed: ChangeFeed;
  /** Stops accepting connections, lets in-flight requests finish, then closes the database. */
  close(): Promise<void>;
}

export interface ServerDeps {
  config: Config;
  /** Defaults to the SQLite file the config names. */
  db?: SqlDatabase;
  bus?: EventBus;
  /** Defaults to SMTP when configured, else a file in the data directory. */
  mailer?: Mailer;
}

function openDatabase(config: Config): SqlDatabase {
  mkdirSync(config.dataDir, { recursive: true });
  return new SqliteDatabase(config.db.file);
}

/** Builds the whole server: storage, core services and every surface. The one place things are wired. */
function openMailer(config: Config): Mailer {
  return config.smtpUrl ? new SmtpMailer(config.smtpUrl, config.mailFrom) : new FileMailer(mailFilePath(config.dataDir));
}

function openBus(config: Config): EventBus {
  return config.redisUrl ? new RedisBus(config.redisUrl) : new MemoryBus();
}

export async function createServer({ config, db = openDatabase(config), bus = openBus(config), mailer = openMailer(config) }: ServerDeps): Promise<CausewayServer> {
  const schema = new SchemaRegistry();
  const collections = new CollectionsService(db, schema);
  await collections.open();
  const records = new RecordsService({ db, schema, bus });
  const settings = new SettingsService(db, {
    accessTokenTtl: config.accessTokenTtl,
    refreshTokenTtl: config.refreshTokenTtl,
    allowedOrigins: config.allowedOrigins.split(',').map((o) => o.trim()).filter(Boolean),
  });
  await settings.open();
  const auth = new AuthService({
    db,
    bus,
    schema,
    records,
    mailer,
    tokens: new AccessTokens(loadKeyRing(config.dataDir, config.tokenSecret), () => settings.current.accessTokenTtl),
    hashing: { log2N: config.passwordCost },
    refreshTokenTtlSeconds: () => settings.current.refreshTokenTtl,
    publicUrl: config.publicUrl,
    // Mail goes out after the request was answered, so a failure can only be logged.
    onMailError: (error) => app.log.error({ err: error }, 'sending account mail failed'),
  });
  await seedUsersCollection(collections, auth);
  const feed = new ChangeFeed(db);
  const retention = { maxAgeMs: config.changeLogMaxAge * 1000, maxCount: config.changeLogMaxCount };
  await feed.prune(retention);
  const hub = new RealtimeHub({ records, schema, bus, feed });
  await hub.start();

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
  const headers = securityHeaders();
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    reply.header('x-request-id', request.id);
    done();
  });

  await app.register(cors, {
    // Read per request: the console can change the list while the server runs.
    origin: (origin, allow) => allow(null, origin === undefined || isAllowedOrigin(origin, settings.current.allowedOrigins)),
    // @fastify/cors allows only GET, HEAD and POST by default; updates and deletes come from other origins too.
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    maxAge: 600,
    exposedHeaders: ['etag', 'location', 'x-request-id', 'retry-after'],
  });
  authenticateRequests(app, auth);

  app.get('/api/health', async () => ({ status: 'ok' }));
  await app.register(authRoutes, { auth, limiter: new RateLimiter(config.authRateLimit) });
  await app.register(collectionsRoutes, { collections, auth });
  await app.register(settingsRoutes, { settings, auth });
  await app.register(recordsRoutes, { records });
  await app.register(openapiRoutes, { schema, version: serverVersion });
  await consoleRoutes(app);

  const realtime = new RealtimeServer({
    hub,
    auth,
    records,
    channelRules: new ChannelRules({ join: config.channelJoinRule, send: config.channelSendRule }),
    limits: {
      maxSubscriptions: config.realtimeMaxSubscriptions,
      maxConnectionsPerIp: config.realtimeMaxConnectionsPerIp,
      maxMessageBytes: config.realtimeMaxMessageBytes,
      maxBufferedBytes: config.realtimeMaxBufferedBytes,
      heartbeatMs: config.realtimeHeartbeat * 1000,
    },
    log: app.log,
  });
  const graphql = graphqlRoutes(app, {
    schema,
    records,
    hub,
    auth,
    limits: { maxDepth: config.graphqlMaxDepth, maxCost: config.graphqlMaxCost, introspection: config.graphqlIntrospection },
  });
  app.server.on('upgrade', (request, socket, head) => {
    const path = request.url?.split('?')[0];
    if (path === realtimePath) return realtime.handleUpgrade(request, socket, head);
    if (path === graphqlPath) return graphql.handleUpgrade(request, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  const pruning = setInterval(() => void feed.prune(retention).catch((error: unknown) => app.log.error({ err: error }, 'change-log pruning failed')), 60_000);
  pruning.unref();
  // WebSockets first: the HTTP server's close waits for every open connection.
  app.addHook('preClose', async () => {
    clearInterval(pruning);
    hub.stop();
    await realtime.close();
    await graphql.close();
  });

  return {
    app,
    db,
    bus,
    schema,
    collections,
    records,
    auth,
    hub,
    feed,
    async close() {
      await app.close();
      await bus.close();
      await mailer.close?.();
      await db.close();
    },
  };
}

function isAllowedOrigin(origin: string, allowed: readonly string[]): boolean {
  return allowed.includes('*') || allowed.includes(origin);
}
