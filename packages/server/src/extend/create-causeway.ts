import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { anonymousCaller, type Caller, type EventBus, type Mailer, type SqlDatabase } from '@causeway/core';
import { createServer, type CausewayServer } from '../app.js';
import { loadConfig, type Config, type ConfigInput } from '../config/config.js';
import { causewayRecords, type CausewayRecords } from './causeway-records.js';
import type { Extension } from './extender.js';
import type { AnySchema, SchemaShape } from './schema-types.js';

/**
 * Options of `createCauseway`: every setting of `causeway serve` under its config name (`dataDir`, `databaseUrl`,
 * `port`, …, see docs/operations.md) with the same defaults, plus what only a program can hand over.
 */
export type CausewayOptions<S extends SchemaShape = AnySchema> = Partial<ConfigInput> & {
  /** The extensions to load: routes, jobs (and hooks), as in a hooks file. */
  extensions?: readonly Extension<S>[];
  /** An open database instead of the one the settings name; closed by `close()`. */
  db?: SqlDatabase;
  bus?: EventBus;
  mailer?: Mailer;
  /**
   * Environment variables to read settings from (`CAUSEWAY_*`, below the options given here). Default: none, so an
   * embedded Causeway is configured by its options alone; pass `process.env` to read them like `causeway serve`.
   */
  env?: Readonly<Record<string, string | undefined>>;
};

/** Causeway inside another program. */
export interface Causeway<S extends SchemaShape = AnySchema> {
  readonly config: Config;
  /** The records service, acting as nobody until told: `records.as(caller)`, `records.asAdmin()`. */
  readonly records: CausewayRecords<S>;
  /** Causeway's own Fastify app (already built: add nothing to it). */
  readonly app: FastifyInstance;
  /** The full server, for what the facade does not cover (auth, collections, the realtime hub). */
  readonly server: CausewayServer;
  /** Listens on its own port; resolves with the address. Defaults: the `host` and `port` settings. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /**
   * Serves Causeway from `host`, an existing Fastify app, before it listens: requests under `/api/` and `/_/`
   * (and WebSocket upgrades to `/api/realtime` and `/api/graphql`) are handed over whole to Causeway, which reads
   * their bodies, limits and answers them itself. Routes `host` declares itself, even under `/api/`, stay its own.
   */
  mount(host: FastifyInstance): Promise<void>;
  /** The caller an access token stands for (a 401 `CausewayError` if it is invalid or its session ended). */
  authenticate(token: string): Promise<Caller>;
  /** Stops everything it started: connections, jobs, timers, the database. The process can exit after it. */
  close(): Promise<void>;
}

/** The paths Causeway answers when mounted in another app. */
const handedOver = ['/api', '/_'];
const upgradePaths = /^\/api\/(realtime|graphql)(\?|$)/;

/**
 * Starts Causeway as a library: opens the database, loads the extensions (a bad route path or cron pattern
 * rejects here, before anything is served), starts the jobs. Serve it with `listen` or `mount`.
 *
 * @example
 * const causeway = await createCauseway<Schema>({ dataDir: './data', extensions: [shop] });
 * await causeway.listen({ port: 8090 });
 * const order = await causeway.records.asAdmin().create('orders', { plan: 'pro' });
 * await causeway.close();
 */
export async function createCauseway<S extends SchemaShape = AnySchema>(options: CausewayOptions<S> = {}): Promise<Causeway<S>> {
  const { extensions = [], db, bus, mailer, env = {}, ...flags } = options;
  const config = loadConfig(flags, env);
  // An extension that fails to register (or a hooks file that does not load) rejects here, leaving nothing open.
  const sources = extensions.map((extension, index) => ({ extension, source: extension.name || `extension ${index + 1}` }));
  const server = await createServer({ config, ...(db ? { db } : {}), ...(bus ? { bus } : {}), ...(mailer ? { mailer } : {}), extensions: sources });
  const detach: (() => void)[] = [];
  return {
    config,
    records: causewayRecords<S>(server.records, anonymousCaller),
    app: server.app,
    server,
    listen: ({ port = config.port, host = config.host } = {}) => server.app.listen({ port, host }),
    async mount(host) {
      await server.app.ready();
      await host.register(async (scope) => {
        // The body is left unread for Causeway, which applies its own limits and parsers to it.
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
        const handOver = (request: FastifyRequest, reply: FastifyReply) => {
          reply.hijack();
          server.app.routing(request.raw, reply.raw);
        };
        for (const prefix of handedOver) {
          scope.all(prefix, handOver);
          scope.all(`${prefix}/*`, handOver);
        }
      });
      const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (upgradePaths.test(request.url ?? '')) server.app.server.emit('upgrade', request, socket, head);
      };
      host.server.on('upgrade', upgrade);
      detach.push(() => host.server.off('upgrade', upgrade));
    },
    authenticate: (token) => server.auth.authenticate(token),
    async close() {
      for (const undo of detach.splice(0)) undo();
      await server.close();
    },
  };
}
