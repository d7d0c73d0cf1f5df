import path from 'node:path';
import { z } from 'zod';
import type { S3StorageOptions } from '../files/s3-storage.js';
import type { PasskeySettings } from '@causeway/core';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const configSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8090),
  dataDir: z.string().min(1).default('./causeway_data'),
  /** Directory of extension files (hooks); default: `hooks/` beside the data directory, when it exists. */
  hooks: z.string().min(1).optional(),
  /** Development: reload the hooks directory when a file in it changes. */
  dev: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(false),
  logLevel: z.enum(logLevels).default('info'),
  /** Largest accepted request body, in bytes. */
  bodyLimit: z.coerce.number().int().min(1024).max(512 * 1024 * 1024).default(1024 * 1024),
  /** Access token lifetime, in seconds. */
  accessTokenTtl: z.coerce.number().int().min(30).max(24 * 3600).default(15 * 60),
  /** Refresh token (session) lifetime, in seconds. */
  refreshTokenTtl: z.coerce.number().int().min(60).max(365 * 24 * 3600).default(30 * 24 * 3600),
  /** Signs access tokens instead of the key file in the data directory (at least 32 characters). */
  tokenSecret: z.string().min(32).optional(),
  /** scrypt cost as log2(N); each step doubles the time and memory of a password hash. */
  passwordCost: z.coerce.number().int().min(10).max(20).default(15),
  /** Origins allowed by CORS, comma-separated; `*` allows any (requests carry bearer tokens, not cookies). */
  allowedOrigins: z.string().default('*'),
  /** Credential checks (and, apart, sign-ups and account mails) per minute per client IP. */
  authRateLimit: z.coerce.number().int().min(1).max(100000).default(10),
  /** Failed password checks of one account from one IP before that pair backs off (1 s, doubling, up to 15 min). */
  authFreeFailures: z.coerce.number().int().min(1).max(1000).default(5),
  /** Failed password checks of one account from all IPs within an hour before IPs new to the account are refused. */
  authAccountFailureLimit: z.coerce.number().int().min(1).max(1_000_000).default(100),
  /** SMTP server for account mail (`smtp://user:pass@host:587`); without it mail goes to a file in the data directory. */
  smtpUrl: z.string().url().optional(),
  mailFrom: z.string().min(3).default('Causeway <no-reply@localhost>'),
  /** Base URL of links in mails; defaults to http://host:port. */
  publicUrl: z.string().url().optional(),
  /** The passkeys' relying party id: the site's domain (not an IP address); defaults to the public URL's host name. */
  passkeyRpId: z.string().min(1).max(253).optional(),
  /** Page origins allowed to use passkeys, comma-separated; defaults to the public URL's origin. */
  passkeyOrigins: z.string().min(1).optional(),
  /** The name an authenticator shows for the site; defaults to the public URL's host. */
  passkeyRpName: z.string().min(1).max(100).optional(),
  /** Change-log retention: entries older than this many seconds go (realtime resume reaches back this far). */
  changeLogMaxAge: z.coerce.number().int().min(60).default(7 * 24 * 3600),
  /** Change-log retention: at most this many entries are kept. */
  changeLogMaxCount: z.coerce.number().int().min(1000).default(1_000_000),
  /** Realtime limits: subscriptions per connection, connections per client IP, message size in bytes. */
  realtimeMaxSubscriptions: z.coerce.number().int().min(1).max(10_000).default(100),
  realtimeMaxConnectionsPerIp: z.coerce.number().int().min(1).max(1_000_000).default(20_000),
  realtimeMaxMessageBytes: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
  /** Seconds between pings; a connection that has not answered the previous ping is dropped. */
  realtimeHeartbeat: z.coerce.number().int().min(1).max(3600).default(30),
  /** Bytes a connection may have waiting to be sent before it is closed as too slow (close code 4008). */
  realtimeMaxBufferedBytes: z.coerce.number().int().min(16 * 1024).default(256 * 1024),
  /** Messages (operations) one connection may have waiting or running; past it the server stops reading it. */
  realtimeMaxInFlight: z.coerce.number().int().min(1).max(10_000).default(32),
  /** Channels one connection may have joined at once. */
  realtimeMaxChannels: z.coerce.number().int().min(1).max(10_000).default(100),
  /** GraphQL limits: deepest field nesting, and the most fields one operation may fetch (lists count `first` times). */
  graphqlMaxDepth: z.coerce.number().int().min(2).max(100).default(12),
  graphqlMaxCost: z.coerce.number().int().min(10).default(20_000),
  /** Whether GraphQL introspection (schema queries, the explorer) is allowed. */
  graphqlIntrospection: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(true),
  /** PostgreSQL (`postgres://user:pass@host:5432/db?schema=name`) instead of the SQLite file in the data directory. */
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  /**
   * SQLite's `synchronous` setting. `full` (the default) syncs the write-ahead log at every commit, so a write
   * answered 2xx survives power loss; `normal` syncs only at checkpoints: faster, and a power cut (not a crash of
   * the process) can lose the last commits.
   */
  sqliteSynchronous: z.enum(['full', 'normal']).default('full'),
  /** Connections each instance keeps open to PostgreSQL. */
  databasePoolSize: z.coerce.number().int().min(2).max(1000).default(10),
  /** Redis for sharing change events between instances (`redis://host:6379`); in-process when unset. */
  redisUrl: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  /** Who may join a channel and send to it (the rule language; `@channel.name` is the channel). */
  channelJoinRule: z.string().default('@request.auth.id != ""'),
  channelSendRule: z.string().default('@request.auth.id != ""'),
  /** Answered requests kept in memory for the console's logs view (`GET /api/logs`); 0 keeps none. */
  requestLogSize: z.coerce.number().int().min(0).max(100_000).default(1000),
  /** Requests (HTTP and WebSocket upgrades) per client address per minute; 0 turns the limit off. */
  rateLimit: z.coerce.number().int().min(0).max(100_000_000).default(12_000),
  /**
   * Proxies whose `X-Forwarded-For` is believed, as addresses, CIDR ranges or proxy-addr's names (`loopback`,
   * `uniquelocal`), comma-separated; unset, the client address is the connection's peer.
   */
  trustProxy: z.string().min(1).optional(),
  /** Runs of each scheduled job kept in the history (`_job_runs`); older ones are deleted after each run. */
  jobRunsKept: z.coerce.number().int().min(1).max(100_000).default(100),
  /** Seconds a file token (`POST /api/files/token`, for downloading protected files) stays valid. */
  fileTokenTtl: z.coerce.number().int().min(10).max(3600).default(120),
  /**
   * Seconds a stored file may stay unreferenced by any record before the sweep deletes it: longer than any
   * upload's gap between its last byte and its record's commit.
   */
  fileOrphanGrace: z.coerce.number().int().min(1).default(3600),
  /** Seconds an upload may send nothing before it is dropped (slow clients holding connections and storage). */
  uploadIdleTimeout: z.coerce.number().int().min(1).max(3600).default(30),
  /** Files in this S3 bucket instead of the data directory (required with several instances). */
  s3Bucket: z.string().min(3).max(63).optional(),
  /** An S3-compatible endpoint (MinIO, R2, …); AWS S3 when unset. */
  s3Endpoint: z.string().url().optional(),
  s3Region: z.string().min(1).default('us-east-1'),
  s3AccessKeyId: z.string().min(1).optional(),
  s3SecretAccessKey: z.string().min(1).optional(),
  /** Path-style requests (`endpoint/bucket/key`): most S3-compatible servers need it. */
  s3ForcePathStyle: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(true),
  /** Prefix of every key, so deployments can share a bucket. */
  s3Prefix: z.string().max(200).regex(/^(?:[A-Za-z0-9._-]+\/)*$/, 'must be empty or end with /').default(''),
});

export type ConfigInput = z.input<typeof configSchema>;

/** Storage as a tagged union: each database is a member with only the keys it needs. */
export type DatabaseConfig = { kind: 'sqlite'; file: string; synchronous: 'full' | 'normal' } | { kind: 'postgres'; url: string; poolSize: number };

/** Where file fields' bytes live: a directory (one machine) or, later, an S3-compatible bucket. */
/** Where file fields' bytes live: a directory (one machine) or an S3-compatible bucket (several instances). */
export type FilesConfig = { kind: 'local'; dir: string } | ({ kind: 's3' } & S3StorageOptions);

/** Where extension files are loaded from; `explicit`: named by the operator, so it must exist. */
export interface HooksConfig {
  readonly dir: string;
  readonly explicit: boolean;
}

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly hooks: HooksConfig;
  readonly dev: boolean;
  readonly logLevel: (typeof logLevels)[number];
  readonly bodyLimit: number;
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  readonly tokenSecret?: string | undefined;
  readonly passwordCost: number;
  readonly allowedOrigins: string;
  readonly authRateLimit: number;
  readonly authFreeFailures: number;
  readonly authAccountFailureLimit: number;
  readonly smtpUrl?: string | undefined;
  readonly mailFrom: string;
  readonly publicUrl: string;
  readonly passkeyRpId?: string | undefined;
  readonly passkeyOrigins?: string | undefined;
  readonly passkeyRpName?: string | undefined;
  /** The relying party passkeys are registered for, resolved from the three settings above and `publicUrl`. */
  readonly passkeys: PasskeySettings;
  readonly changeLogMaxAge: number;
  readonly changeLogMaxCount: number;
  readonly realtimeMaxSubscriptions: number;
  readonly realtimeMaxConnectionsPerIp: number;
  readonly realtimeMaxMessageBytes: number;
  readonly realtimeMaxBufferedBytes: number;
  readonly realtimeHeartbeat: number;
  readonly realtimeMaxInFlight: number;
  readonly realtimeMaxChannels: number;
  readonly graphqlMaxDepth: number;
  readonly graphqlMaxCost: number;
  readonly graphqlIntrospection: boolean;
  readonly databaseUrl?: string | undefined;
  readonly sqliteSynchronous: 'full' | 'normal';
  readonly databasePoolSize: number;
  readonly redisUrl?: string | undefined;
  readonly channelJoinRule: string;
  readonly channelSendRule: string;
  readonly requestLogSize: number;
  readonly rateLimit: number;
  readonly trustProxy?: string | undefined;
  readonly jobRunsKept: number;
  readonly fileTokenTtl: number;
  readonly fileOrphanGrace: number;
  readonly uploadIdleTimeout: number;
  readonly s3Bucket?: string | undefined;
  readonly s3Endpoint?: string | undefined;
  readonly s3Region: string;
  readonly s3AccessKeyId?: string | undefined;
  readonly s3SecretAccessKey?: string | undefined;
  readonly s3ForcePathStyle: boolean;
  readonly s3Prefix: string;
  readonly db: DatabaseConfig;
  readonly files: FilesConfig;
}

/** Environment variables Causeway reads, by config key. */
export const envVariables = {
  host: 'CAUSEWAY_HOST',
  port: 'CAUSEWAY_PORT',
  dataDir: 'CAUSEWAY_DATA_DIR',
  hooks: 'CAUSEWAY_HOOKS',
  dev: 'CAUSEWAY_DEV',
  logLevel: 'CAUSEWAY_LOG_LEVEL',
  bodyLimit: 'CAUSEWAY_BODY_LIMIT',
  accessTokenTtl: 'CAUSEWAY_ACCESS_TOKEN_TTL',
  refreshTokenTtl: 'CAUSEWAY_REFRESH_TOKEN_TTL',
  tokenSecret: 'CAUSEWAY_TOKEN_SECRET',
  passwordCost: 'CAUSEWAY_PASSWORD_COST',
  allowedOrigins: 'CAUSEWAY_ALLOWED_ORIGINS',
  authRateLimit: 'CAUSEWAY_AUTH_RATE_LIMIT',
  authFreeFailures: 'CAUSEWAY_AUTH_FREE_FAILURES',
  authAccountFailureLimit: 'CAUSEWAY_AUTH_ACCOUNT_FAILURE_LIMIT',
  smtpUrl: 'CAUSEWAY_SMTP_URL',
  mailFrom: 'CAUSEWAY_MAIL_FROM',
  publicUrl: 'CAUSEWAY_PUBLIC_URL',
  passkeyRpId: 'CAUSEWAY_PASSKEY_RP_ID',
  passkeyOrigins: 'CAUSEWAY_PASSKEY_ORIGINS',
  passkeyRpName: 'CAUSEWAY_PASSKEY_RP_NAME',
  changeLogMaxAge: 'CAUSEWAY_CHANGE_LOG_MAX_AGE',
  changeLogMaxCount: 'CAUSEWAY_CHANGE_LOG_MAX_COUNT',
  realtimeMaxSubscriptions: 'CAUSEWAY_REALTIME_MAX_SUBSCRIPTIONS',
  realtimeMaxConnectionsPerIp: 'CAUSEWAY_REALTIME_MAX_CONNECTIONS_PER_IP',
  realtimeMaxMessageBytes: 'CAUSEWAY_REALTIME_MAX_MESSAGE_BYTES',
  realtimeMaxBufferedBytes: 'CAUSEWAY_REALTIME_MAX_BUFFERED_BYTES',
  realtimeHeartbeat: 'CAUSEWAY_REALTIME_HEARTBEAT',
  realtimeMaxInFlight: 'CAUSEWAY_REALTIME_MAX_IN_FLIGHT',
  realtimeMaxChannels: 'CAUSEWAY_REALTIME_MAX_CHANNELS',
  graphqlMaxDepth: 'CAUSEWAY_GRAPHQL_MAX_DEPTH',
  graphqlMaxCost: 'CAUSEWAY_GRAPHQL_MAX_COST',
  graphqlIntrospection: 'CAUSEWAY_GRAPHQL_INTROSPECTION',
  databaseUrl: 'CAUSEWAY_DATABASE_URL',
  sqliteSynchronous: 'CAUSEWAY_SQLITE_SYNCHRONOUS',
  databasePoolSize: 'CAUSEWAY_DATABASE_POOL_SIZE',
  redisUrl: 'CAUSEWAY_REDIS_URL',
  channelJoinRule: 'CAUSEWAY_CHANNEL_JOIN_RULE',
  channelSendRule: 'CAUSEWAY_CHANNEL_SEND_RULE',
  requestLogSize: 'CAUSEWAY_REQUEST_LOG_SIZE',
  rateLimit: 'CAUSEWAY_RATE_LIMIT',
  trustProxy: 'CAUSEWAY_TRUST_PROXY',
  jobRunsKept: 'CAUSEWAY_JOB_RUNS_KEPT',
  fileTokenTtl: 'CAUSEWAY_FILE_TOKEN_TTL',
  fileOrphanGrace: 'CAUSEWAY_FILE_ORPHAN_GRACE',
  uploadIdleTimeout: 'CAUSEWAY_UPLOAD_IDLE_TIMEOUT',
  s3Bucket: 'CAUSEWAY_S3_BUCKET',
  s3Endpoint: 'CAUSEWAY_S3_ENDPOINT',
  s3Region: 'CAUSEWAY_S3_REGION',
  s3AccessKeyId: 'CAUSEWAY_S3_ACCESS_KEY_ID',
  s3SecretAccessKey: 'CAUSEWAY_S3_SECRET_ACCESS_KEY',
  s3ForcePathStyle: 'CAUSEWAY_S3_FORCE_PATH_STYLE',
  s3Prefix: 'CAUSEWAY_S3_PREFIX',
} as const satisfies Record<keyof ConfigInput, string>;

/** The conventional names hosting platforms set, read when the Causeway-specific variable is absent. */
const envFallbacks: Partial<Record<keyof ConfigInput, string>> = { databaseUrl: 'DATABASE_URL', redisUrl: 'REDIS_URL' };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Parses configuration once, at start: flags win over environment variables, which win over defaults.
 * Every problem is reported at once. The result is frozen; nothing else reads `process.env`.
 */
export function loadConfig(flags: Partial<Record<keyof ConfigInput, unknown>>, env: Readonly<Record<string, string | undefined>>): Config {
  const merged: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(envVariables)) {
    const fallback = envFallbacks[key as keyof ConfigInput];
    const value = flags[key as keyof ConfigInput] ?? (env[variable] || (fallback ? env[fallback] : undefined));
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        const variable = envVariables[key as keyof ConfigInput];
        return `${key}${variable ? ` (--${kebab(key)} / ${variable})` : ''}: ${issue.message}`;
      }),
    );
  }
  const dataDir = path.resolve(parsed.data.dataDir);
  const publicUrl = (parsed.data.publicUrl ?? `http://${parsed.data.host}:${parsed.data.port}`).replace(/\/+$/, '');
  const db: DatabaseConfig = parsed.data.databaseUrl
    ? { kind: 'postgres', url: parsed.data.databaseUrl, poolSize: parsed.data.databasePoolSize }
    : { kind: 'sqlite', file: path.join(dataDir, 'data.db'), synchronous: parsed.data.sqliteSynchronous };
  const { s3Bucket, s3AccessKeyId, s3SecretAccessKey } = parsed.data;
  if (s3Bucket && (s3AccessKeyId === undefined) !== (s3SecretAccessKey === undefined)) {
    throw new ConfigError(['s3AccessKeyId / s3SecretAccessKey: give both or neither (neither: the AWS SDK finds credentials itself)']);
  }
  const files: FilesConfig = s3Bucket
    ? {
        kind: 's3',
        bucket: s3Bucket,
        endpoint: parsed.data.s3Endpoint,
        region: parsed.data.s3Region,
        forcePathStyle: parsed.data.s3ForcePathStyle,
        credentials: s3AccessKeyId && s3SecretAccessKey ? { accessKeyId: s3AccessKeyId, secretAccessKey: s3SecretAccessKey } : undefined,
        prefix: parsed.data.s3Prefix,
      }
    : { kind: 'local', dir: path.join(dataDir, 'storage') };
  const site = new URL(publicUrl);
  const passkeys: PasskeySettings = {
    rpId: parsed.data.passkeyRpId ?? site.hostname,
    rpName: parsed.data.passkeyRpName ?? site.host,
    origins: (parsed.data.passkeyOrigins ?? site.origin).split(',').map((origin) => origin.trim().replace(/\/+$/, '')).filter((origin) => origin !== ''),
  };
  const hooks: HooksConfig = parsed.data.hooks ? { dir: path.resolve(parsed.data.hooks), explicit: true } : { dir: path.join(path.dirname(dataDir), 'hooks'), explicit: false };
  return Object.freeze({ ...parsed.data, dataDir, hooks: Object.freeze(hooks), publicUrl, passkeys: Object.freeze(passkeys), db: Object.freeze(db), files: Object.freeze(files) });
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
