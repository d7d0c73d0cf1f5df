export { createServer, type CausewayServer, type ServerDeps } from './app.js';
export { loadConfig, ConfigError, type Config } from './config/config.js';
export { SqliteDatabase } from './store/sqlite/sqlite-database.js';
export { PostgresDatabase } from './store/postgres/postgres-database.js';
export { runCli } from './cli/run-cli.js';
export { defineExtension, type Extender, type Extension, type RecordHooks, type AuthHooks } from './extend/extender.js';
export type { TypedRecords } from './extend/extender.js';
export type { SchemaShape, AnySchema, CollectionTypes } from './extend/schema-types.js';
export type { ExtensionSource } from './extend/extension-set.js';
