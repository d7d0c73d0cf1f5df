import { Command, CommanderError } from 'commander';
import { isCausewayError } from '@causeway/core';
import { ConfigError, loadConfig } from '../config/config.js';
import { createAdmin, rotateTokenKeys } from './admin-commands.js';
import { exportData, importData, type DataCounts } from './data-commands.js';
import { exportSchema, importSchema } from './schema-commands.js';
import { generateTypes } from './types-command.js';
import { serve } from './serve.js';
import { serverVersion } from '../version.js';


/** The `causeway` command. Returns the exit code; `env` is the only place environment variables come from. */
export async function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const program = new Command('causeway')
    .description('Causeway: a self-hosted backend for frontend apps (REST, GraphQL and realtime over collections, on SQLite or PostgreSQL).')
    .version(serverVersion)
    .exitOverride();
  const withDataDir = (command: Command) => command.option('--data-dir <dir>', 'data directory (env CAUSEWAY_DATA_DIR)', undefined);

  withDataDir(program.command('serve').description('start the server'))
    .option('--host <host>', 'address to listen on (env CAUSEWAY_HOST)', undefined)
    .option('--port <port>', 'port to listen on (env CAUSEWAY_PORT)', undefined)
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env CAUSEWAY_LOG_LEVEL)', undefined)
    .option('--body-limit <bytes>', 'largest request body in bytes (env CAUSEWAY_BODY_LIMIT)', undefined)
    .option('--hooks <dir>', 'directory of extension files (env CAUSEWAY_HOOKS; default: hooks/ beside the data directory, if it exists)', undefined)
    .option('--dev', 'development: reload the hooks directory when its files change (env CAUSEWAY_DEV)', undefined)
    .action(async (flags: Record<string, string | boolean | undefined>) => serve(loadConfig(flags, env), { terminal: process.stdout.isTTY === true }));

  const schema = program.command('schema').description('export or import the whole schema (for a file in git)');
  withDataDir(schema.command('export').description('print the schema as JSON to standard output'))
    .action(async (flags: Record<string, string | undefined>) => {
      process.stdout.write(`${JSON.stringify(await exportSchema(loadConfig(flags, env)), null, 2)}\n`);
    });
  withDataDir(schema.command('import <file>').description('apply a schema file: create and alter collections to match it'))
    .option('--confirm', 'allow changes that delete data (removed fields holding values)')
    .action(async (file: string, flags: Record<string, string | boolean | undefined>) => {
      const { confirm, ...rest } = flags;
      const report = await importSchema(loadConfig(rest as Record<string, string | undefined>, env), file, confirm === true);
      process.stdout.write(`created: ${report.created.join(', ') || '-'}\nupdated: ${report.updated.join(', ') || '-'}\nunchanged: ${report.unchanged.join(', ') || '-'}\n`);
    });

  // Moving between databases: export from one configuration, import into another.
  const withDatabase = (command: Command) =>
    withDataDir(command).option('--database-url <url>', 'PostgreSQL instead of the data directory\'s SQLite file (env CAUSEWAY_DATABASE_URL)', undefined);
  const summary = ({ records, system }: DataCounts) => [
    ...(Object.keys(records).length > 0 ? Object.entries(records).map(([name, n]) => `  ${name}: ${n} record(s)`) : ['  (no collections)']),
    `  system rows: ${Object.entries(system).map(([table, n]) => `${table} ${n}`).join(', ') || '-'}`,
  ].join('\n');
  withDatabase(program.command('export <file>').description('write the schema, records, admins, sessions and settings to a file (newline-delimited JSON; not the change log)'))
    .action(async (file: string, flags: Record<string, string | undefined>) => {
      const counts = await exportData(loadConfig(flags, env), file);
      process.stdout.write(`exported to ${file}:\n${summary(counts)}\n`);
    });
  withDatabase(program.command('import <file>').description('load a file written by `causeway export` into this database (run with the server stopped)'))
    .option('--replace', 'empty the collections the file holds, admins, sessions, settings and the change log first')
    .action(async (file: string, flags: Record<string, string | boolean | undefined>) => {
      const { replace, ...rest } = flags;
      const counts = await importData(loadConfig(rest as Record<string, string | undefined>, env), file, replace === true);
      process.stdout.write(`imported from ${file}:\n${summary(counts)}\n`);
    });

  const admin = program.command('admin').description('manage admin accounts');
  withDataDir(admin.command('create').description('create an admin (password from CAUSEWAY_ADMIN_PASSWORD or a prompt)'))
    .requiredOption('--email <email>', 'the admin\'s email address')
    .action(async (flags: Record<string, string | undefined>) => {
      const { email, ...rest } = flags;
      process.stdout.write(`admin created: ${await createAdmin(loadConfig(rest, env), email!, env)}\n`);
    });

  withDataDir(program.command('types').description('generate TypeScript types of the schema for @causeway/client'))
    .option('--out <file>', 'write to this file (default: standard output)')
    .option('--url <url>', 'read the schema from a running server instead of the data directory')
    .option('--token <token>', 'admin access token for --url (env CAUSEWAY_TOKEN)')
    .action(async (flags: Record<string, string | undefined>) => {
      const { out, url, token, ...rest } = flags;
      const text = await generateTypes(loadConfig(rest, env), { out, url, token: token ?? env.CAUSEWAY_TOKEN });
      if (out) process.stdout.write(`types written to ${out}\n`);
      else process.stdout.write(text);
    });

  const keys = program.command('keys').description('access-token signing keys');
  withDatabase(keys.command('rotate').description('sign new tokens with a fresh key; tokens signed with the previous key stay valid until they expire'))
    .action(async (flags: Record<string, string | undefined>) => {
      const { kid, kept } = await rotateTokenKeys(loadConfig(flags, env));
      process.stdout.write(`signing key: ${kid}\nstill verifying: ${kept.join(', ') || '-'}\n`);
    });

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else if (isCausewayError(error)) process.stderr.write(`${error.code}: ${error.message}\n${error.fields ? JSON.stringify(error.fields, null, 2) + '\n' : ''}`);
    else process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
