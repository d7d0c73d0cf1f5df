import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  AccessTokens,
  AccountHooks,
  AfterCommitRunner,
  AuthService,
  OAuthService,
  openSecretBox,
  CausewayError,
  ChangeFeed,
  ChannelRules,
  CollectionsService,
  RealtimeHub,
  JobRuns,
  MemoryBus,
  deploymentId,
  prepareDatabase,
  RecordsService,
  SchemaRegistry,
  SettingsService,
  type EventBus,
  type FileStorage,
  type Mailer,
  type SqlDatabase,
} from '@causeway/core';
import { requestAuthentication } from './auth/authenticate.js';
import { answerClientError } from './http/client-errors.js';
import { problemBodiesForErrors } from './http/problem-bodies.js';
import { securityHeaders } from './http/security-headers.js';
import { Cors } from './http/cors.js';
import { startRequests } from './http/request-start.js';
import { seedUsersCollection } from './auth/default-users.js';
import { openKeySource } from './auth/key-ring.js';
import { openRateLimiter } from './auth/rate-limiter.js';
import { MemoryCounterStore, RedisCounterStore } from './auth/counter-store.js';
import { CredentialGuard } from './auth/credential-guard.js';
import { FileMailer, mailFilePath } from './mail/file-mailer.js';
import { SmtpMailer } from './mail/smtp-mailer.js';
import { adminRoutes } from './rest/admin-routes.js';
import { authRoutes } from './rest/auth-routes.js';
import { oauthProviderRoutes, oauthRoutes } from './rest/oauth-routes.js';
import { settingsRoutes } from './rest/settings-routes.js';
import { accountPages } from './auth/pages/account-pages.js';
import { graphqlPath, graphqlRoutes } from './graphql/graphql-routes.js';
import { consoleRoutes } from './console/console-routes.js';
import { RealtimeServer, realtimePath } from './realtime/realtime-server.js';
import { WebSocketUpgrades } from './http/websocket-upgrades.js';
import type { ConnectionLimits } from './http/connection-limits.js';
import { serializeReply } from './http/json-reply.js';
import { PostgresBus, postgresChannel } from './events/postgres-bus.js';
import { RedisBus, redisChannel } from './events/redis-bus.js';
import { PostgresDatabase } from './store/postgres/postgres-database.js';
import type { Config } from './config/config.js';
import { LazyChildLogger } from './logging/lazy-child-logger.js';
import { recordRequests, RequestLog } from './logging/request-log.js';
import { openapiRoutes } from './openapi/openapi-routes.js';
import { collectionsRoutes } from './rest/collections-routes.js';
import { problemContentType, sendProblem, toProblem } from './rest/problem.js';
import { recordsRoutes } from './rest/records-routes.js';
import { filesRoutes } from './rest/files-routes.js';
import { openFileStorage } from './files/open-file-storage.js';
import { OrphanSweeper } from './files/orphan-sweeper.js';
import { Thumbnails } from './files/thumbnails.js';
import { logsPath, logsRoutes } from './rest/logs-routes.js';
import { openDatabase } from './store/open-database.js';
import { AddressRateLimit } from './http/address-rate-limit.js';
import { clientAddressOf, trustedProxies } from './http/client-address.js';
import { serverVersion } from './version.js';
import { customRoutes } from './extend/custom-routes-plugin.js';
import { extensionsRoutes } from './extend/extensions-routes.js';
import { JobScheduler } from './extend/job-scheduler.js';
import { ExtensionHost } from './extend/extension-host.js';
import type { ExtensionSource } from './extend/extension-set.js';
import { hooksDirectoryExists } from './extend/load-hooks-directory.js';

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
  storage: FileStorage;
  /** The extensions' scheduled jobs (and their "run now"). */
  jobs: JobScheduler;
  /** The extensions' hooks in force and their recent failures (what the console lists). */
  hooks: ExtensionHost;
  /**
   * Deletes stored files no record holds that are older than the grace period (runs on its own hourly); `nowMs`
   * judges ages as of that time.
   */
  sweepFiles(nowMs?: number): Promise<number>;
  /** Stops accepting connections, lets in-flight requests finish, then closes the database. */
  close(): Promise<void>;
}

export interface ServerDeps {
  config: Config;
  /** Defaults to the database the config names (SQLite file or PostgreSQL). */
  db?: SqlDatabase;
  /** Defaults to Redis when configured, else LISTEN/NOTIFY on PostgreSQL, else in-process. */
  bus?: EventBus;
  /** Defaults to SMTP when configured, else a file in the data directory. */
  mailer?: Mailer;
  /** Extensions given in code (library mode): hooks, custom routes and jobs, installed with the hooks directory's. */
  extensions?: readonly ExtensionSource[];
}

function openMailer(config: Config): Mailer {
  return config.smtpUrl ? new SmtpMailer(config.smtpUrl, config.mailFrom) : new FileMailer(mailFilePath(config.dataDir));
}

/**
 * How instances sharing the database hear of each other's changes: Redis when configured, else PostgreSQL's
 * LISTEN/NOTIFY on PostgreSQL; a single SQLite process needs only itself.
 */
async function openBus(config: Config, db: SqlDatabase, feed: ChangeFeed, deployment: string): Promise<EventBus> {
  if (!config.redisUrl && !(db instanceof PostgresDatabase)) return new MemoryBus();
  const bus = config.redisUrl ? new RedisBus(config.redisUrl, redisChannel(deployment)) : new PostgresBus(db as PostgresDatabase, feed, postgresChannel(deployment));
  await bus.connected();
  return bus;
}

/** How often an instance looks at the change log (shared databases) and re-reads the schema and signing keys. */
const pollMs = { changes: 1000, stored: 10_000 };

/** Builds the whole server: storage, core services and every surface. The one place things are wired. */
export async function createServer({ config, db = openDatabase(config.db), bus: givenBus, mailer = openMailer(config), extensions = [] }: ServerDeps): Promise<CausewayServer> {
  // The development mail file lives here whichever database holds the records (and an earlier version's key file).
  mkdirSync(config.dataDir, { recursive: true });
  await prepareDatabase(db);
  const feed = new ChangeFeed(db);
  const deployment = await deploymentId(db);
  const bus = givenBus ?? (await openBus(config, db, feed, deployment));
  const shared = !(bus instanceof MemoryBus);
  const schema = new SchemaRegistry();
  const collections = new CollectionsService(db, schema, bus);
  // The system tables were prepared above (the deployment id needs them): only the schema is left to load.
  await collections.reload();
  const storage = await openFileStorage(config.files);
  // `app` is created below; failures to delete freed files are only logged (the sweep retries them).
  const records = new RecordsService({ db, schema, bus, files: { storage, onError: (error) => app.log.warn({ err: error }, 'deleting freed files failed') } });
  const settings = new SettingsService(db, {
    accessTokenTtl: config.accessTokenTtl,
    refreshTokenTtl: config.refreshTokenTtl,
    allowedOrigins: config.allowedOrigins.split(',').map((o) => o.trim()).filter(Boolean),
    accountMail: {},
    requireAdminMfa: false,
  }, bus);
  await settings.open();
  const keys = await openKeySource(db, config.dataDir, config.tokenSecret);
  const accountHooks = new AccountHooks();
  const auth = new AuthService({
    hooks: accountHooks,
    db,
    bus,
    schema,
    records,
    mailer,
    tokens: new AccessTokens(keys, () => settings.current.accessTokenTtl),
    hashing: { log2N: config.passwordCost },
    refreshTokenTtlSeconds: () => settings.current.refreshTokenTtl,
    publicUrl: config.publicUrl,
    passkeys: config.passkeys,
    accountMail: () => settings.current.accountMail,
    requireAdminSecondFactor: () => settings.current.requireAdminMfa,
    // Mail goes out after the request was answered, so a failure can only be logged.
    onMailError: (error) => app.log.error({ err: error }, 'sending account mail failed'),
    onError: (error, what) => app.log.error({ err: error }, `${what} failed`),
  });
  const oauth = new OAuthService({
    db,
    bus,
    schema,
    records,
    auth,
    box: await openSecretBox(db, config.tokenSecret),
    hooks: accountHooks,
    onError: (error, what) => app.log.error({ err: error }, `${what} failed`),
  });
  await seedUsersCollection(collections, auth);
  const retention = { maxAgeMs: config.changeLogMaxAge * 1000, maxCount: config.changeLogMaxCount };
  await feed.prune(retention);
  const hub = new RealtimeHub({ records, schema, bus, feed, pollMs: shared ? pollMs.changes : 0 });
  await hub.start();

  const app = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    bodyLimit: config.bodyLimit,
    // X-Forwarded-For is believed only from the proxies the operator names (request.ip and every limit use it).
    ...(config.trustProxy ? { trustProxy: trustedProxies(config.trustProxy)! } : {}),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Answered by the onRequest hook below instead, as a problem (Fastify's own 503 is plain JSON).
    return503OnClosing: false,
    // Errors before a route runs get the same problem+json as every other (Fastify writes its own JSON otherwise).
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      return sendProblem(error, request, reply);
    },
    clientErrorHandler(error, socket) {
      answerClientError(error, socket, app.log);
    },
    childLoggerFactory: (logger, bindings, options) =>
      new LazyChildLogger(logger as FastifyBaseLogger & { isLevelEnabled(level: string): boolean }, bindings, options),
  });
  // JSON is the only body Causeway reads; anything else is answered 415.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error, request, reply) => sendProblem(error, request, reply));
  // Stored json values from before their depth was limited may be too deep for JSON.stringify's stack.
  app.setReplySerializer(serializeReply);
  app.setNotFoundHandler((request, reply) => {
    const error = new CausewayError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`);
    return reply.code(404).type(problemContentType).send(toProblem(error, request.url));
  });
  problemBodiesForErrors(app);
  // Built here, so routes can list the hooks; installed last (below), once everything they act on exists.
  const afterCommit = new AfterCommitRunner({ db, feed, bus, instance: randomUUID(), log: { error: (error, message) => app.log.error({ err: error }, message) } });
  const extensionHost = new ExtensionHost({ recordHooks: records.hooks, accountHooks, afterCommit, log: app.log }, extensions);
  let closing = false;
  const limitsUnavailable = (error: unknown) => app.log.warn({ err: error }, 'rate limits unavailable (Redis): attempts allowed until it answers');
  // Keys per deployment, like the bus channel: deployments sharing a Redis never count each other's attempts.
  const counters = config.redisUrl ? new RedisCounterStore(config.redisUrl, { onError: limitsUnavailable, prefix: `causeway:${deployment}:guard` }) : new MemoryCounterStore();
  // Counted in the process and, with Redis, summed across instances every second.
  const addressLimit = config.rateLimit > 0 ? new AddressRateLimit(config.rateLimit, { shared: config.redisUrl ? counters : undefined }) : undefined;
  startRequests(app, {
    headers: securityHeaders(),
    addressLimit,
    closing: () => closing,
    // Read per request: the console can change the list while the server runs.
    cors: new Cors((origin) => isAllowedOrigin(origin, settings.current.allowedOrigins)),
    authenticate: requestAuthentication(app, auth),
  });
  // Reading the log is not logged: the console polling it would push out what it came to see.
  const requestLog = new RequestLog(config.requestLogSize);
  recordRequests(app, requestLog, (route, status) => route === logsPath && status === 200);

  app.get('/api/health', async () => ({ status: 'ok' }));
  const limiter = openRateLimiter(config.authRateLimit, config.redisUrl ? { url: config.redisUrl, prefix: `causeway:${deployment}:rate` } : undefined, limitsUnavailable);
  const guard = new CredentialGuard(limiter, counters, { freeFailures: config.authFreeFailures, accountFailureLimit: config.authAccountFailureLimit });
  await app.register(authRoutes, { auth, guard });
  await app.register(oauthRoutes, { oauth, guard });
  await app.register(oauthProviderRoutes, { oauth, auth });
  await app.register(accountPages);
  await app.register(collectionsRoutes, { collections, auth });
  await app.register(adminRoutes, { auth });
  await app.register(settingsRoutes, { settings, auth, guard });
  await app.register(logsRoutes, { log: requestLog, auth });
  await app.register(recordsRoutes, { records, schema, storage, multipart: { fieldBytes: config.bodyLimit, idleMs: config.uploadIdleTimeout * 1000 } });
  await app.register(filesRoutes, { records, schema, auth, storage, fileTokenTtl: config.fileTokenTtl, thumbnails: new Thumbnails(storage) });
  const jobRuns = new JobRuns(db);
  // Set once the extensions are collected (last, below); closing before that has no jobs to stop.
  let jobs: JobScheduler | undefined;
  // A person who opens the bare address wants the console (or, without a built one, the API reference).
  const consoleServed = await consoleRoutes(app);
  app.get('/', (_request, reply) => reply.redirect(consoleServed ? '/_/' : '/api/docs'));

  // One set of per-connection limits for both WebSocket endpoints.
  const connectionLimits: ConnectionLimits = {
    maxInFlight: config.realtimeMaxInFlight,
    maxBufferedBytes: config.realtimeMaxBufferedBytes,
    maxSubscriptions: config.realtimeMaxSubscriptions,
    maxChannels: config.realtimeMaxChannels,
    maxMessageBytes: config.realtimeMaxMessageBytes,
    heartbeatMs: config.realtimeHeartbeat * 1000,
  };
  const realtime = new RealtimeServer({
    hub,
    auth,
    records,
    channelRules: new ChannelRules({ join: config.channelJoinRule, send: config.channelSendRule }),
    bus,
    limits: connectionLimits,
    log: app.log,
  });
  const graphql = graphqlRoutes(app, {
    schema,
    records,
    hub,
    auth,
    limits: { maxDepth: config.graphqlMaxDepth, maxCost: config.graphqlMaxCost, introspection: config.graphqlIntrospection },
    connectionLimits,
    files: storage,
    log: app.log,
  });
  const upgrades = new WebSocketUpgrades(new Map([[realtimePath, realtime], [graphqlPath, graphql]]), {
    maxConnectionsPerIp: config.realtimeMaxConnectionsPerIp,
    clientAddress: clientAddressOf(config.trustProxy),
    ...(addressLimit ? { addressLimit } : {}),
  }, app.log);
  app.server.on('upgrade', (request, socket, head) => upgrades.handle(request, socket, head));
  // Signing keys rotated by the CLI or another instance sign here too; and a safety net under the bus's schema
  // signal, which a lost message or a dead sender could skip.
  auth.signingKeysChecked();
  const storedPoll = setInterval(() => {
    void keys.reload().then(() => auth.signingKeysChecked(), (error: unknown) => app.log.error({ err: error }, 'signing keys reload failed'));
    // Sessions revoked where no signal reached this instance (a lost bus message) end here within this period.
    void auth.checkLiveSessions().catch((error: unknown) => app.log.error({ err: error }, 'checking live sessions failed'));
    if (shared) void collections.reload().catch((error: unknown) => app.log.error({ err: error }, 'schema reload failed'));
  }, pollMs.stored);
  storedPoll.unref();
  const sweep = new OrphanSweeper({
    storage,
    collections: () => schema.list(),
    recordsByIds: records.relatedRecords(),
    graceMs: config.fileOrphanGrace * 1000,
    onError: (error) => app.log.error({ err: error }, 'sweeping orphaned files failed'),
  });
  sweep.start();
  const pruning = setInterval(() => void feed.prune(retention).catch((error: unknown) => app.log.error({ err: error }, 'change-log pruning failed')), 60_000);
  pruning.unref();
  // WebSockets first: the HTTP server's close waits for every open connection.
  app.addHook('preClose', async () => {
    closing = true;
    await extensionHost.close();
    clearInterval(pruning);
    await jobs?.stop();
    await sweep.stop();
    clearInterval(storedPoll);
    hub.stop();
    await realtime.close();
    await graphql.close();
    await upgrades.close();
  });

  const close = async () => {
    await app.close();
    await limiter.close();
    addressLimit?.close();
    await counters.close();
    await bus.close();
    await mailer.close?.();
    await storage.close?.();
    await db.close();
  };
  // Last, so a hook file that does not load stops the start-up with nothing half-configured left open.
  try {
    const hooksDir = hooksDirectoryExists(config.hooks.dir, config.hooks.explicit) ? config.hooks.dir : undefined;
    const extensionSet = await extensionHost.collect(hooksDir);
    await app.register(openapiRoutes, { schema, version: serverVersion, customRoutes: extensionSet.routes });
    await app.register(customRoutes, { routes: extensionSet.routes, records });
    jobs = new JobScheduler({ jobs: extensionSet.jobs, runs: jobRuns, records, log: app.log, keepRuns: config.jobRunsKept });
    await app.register(extensionsRoutes, { auth, routes: extensionSet.routes, scheduler: jobs, runs: jobRuns, hooks: extensionHost });
    await extensionHost.activate(extensionSet);
    jobs.start();
    if (config.dev && hooksDir) extensionHost.watch(hooksDir);
  } catch (error) {
    await close();
    throw error;
  }

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
    storage,
    jobs,
    hooks: extensionHost,
    sweepFiles: (nowMs) => sweep.run(nowMs),
    close,
  };
}

function isAllowedOrigin(origin: string, allowed: readonly string[]): boolean {
  return allowed.includes('*') || allowed.includes(origin);
}
