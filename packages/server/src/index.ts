export { createServer, type CausewayServer, type ServerDeps } from './app.js';
export { loadConfig, ConfigError, type Config } from './config/config.js';
export { SqliteDatabase } from './store/sqlite/sqlite-database.js';
export { PostgresDatabase } from './store/postgres/postgres-database.js';
export { runCli } from './cli/run-cli.js';
