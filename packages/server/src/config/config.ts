import path from 'node:path';
import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const configSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8090),
  dataDir: z.string().min(1).default('./causeway_data'),
  logLevel: z.enum(logLevels).default('info'),
  /** Largest accepted request body, in bytes. */
  bodyLimit: z.coerce.number().int().min(1024).max(512 * 1024 * 1024).default(1024 * 1024),
});

export type ConfigInput = z.input<typeof configSchema>;

/** Storage as a tagged union, so adding PostgreSQL later is a new member, not a new set of optional keys. */
export type DatabaseConfig = { kind: 'sqlite'; file: string };

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logLevel: (typeof logLevels)[number];
  readonly bodyLimit: number;
  readonly db: DatabaseConfig;
}

/** Environment variables Causeway reads, by config key. */
export const envVariables = {
  host: 'CAUSEWAY_HOST',
  port: 'CAUSEWAY_PORT',
  dataDir: 'CAUSEWAY_DATA_DIR',
  logLevel: 'CAUSEWAY_LOG_LEVEL',
  bodyLimit: 'CAUSEWAY_BODY_LIMIT',
} as const satisfies Record<keyof ConfigInput, string>;

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
    const value = flags[key as keyof ConfigInput] ?? env[variable];
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
  return Object.freeze({ ...parsed.data, dataDir, db: Object.freeze({ kind: 'sqlite' as const, file: path.join(dataDir, 'data.db') }) });
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
