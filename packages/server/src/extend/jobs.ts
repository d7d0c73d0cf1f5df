import type { FastifyBaseLogger } from 'fastify';
import { Cron } from 'croner';
import type { CausewayRecords } from './causeway-records.js';
import type { AnySchema, SchemaShape } from './schema-types.js';

export interface JobContext<S extends SchemaShape> {
  /**
   * The records service acting as nobody (anonymous): a job passes rules only through `records.asAdmin()`,
   * which it asks for where it means it.
   */
  records: CausewayRecords<S>;
  /** The server's logger, bound to this job and run. */
  log: FastifyBaseLogger;
  /** The time this run was scheduled for (the same on every instance; the run's key in the history). */
  scheduledAt: Date;
  /** Fires when the server is closing: a long job should stop at its next safe point. */
  signal: AbortSignal;
}

export type JobHandler<S extends SchemaShape> = (context: JobContext<S>) => unknown;

/** The jobs half of the `Extender` (issue 19). */
export interface Jobs<S extends SchemaShape = AnySchema> {
  /**
   * Runs `job` on a cron schedule (`croner`: five fields, or six with seconds first; UTC), once per scheduled time
   * for the whole deployment however many instances run. Throws at once for a bad pattern or a name used twice.
   *
   * @example
   * causeway.cron('nightly-clean-up', '0 3 * * *', async ({ records }) => { … });
   */
  cron(name: string, pattern: string, job: JobHandler<S>): void;
}

export interface JobDefinition {
  name: string;
  pattern: string;
  handler: JobHandler<SchemaShape>;
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export class JobRegistry {
  private readonly byName = new Map<string, JobDefinition>();

  add(name: string, pattern: string, handler: JobDefinition['handler']): void {
    if (!namePattern.test(name)) throw new Error(`Job '${name}': a name is 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit.`);
    if (this.byName.has(name)) throw new Error(`Job '${name}' is added twice.`);
    try {
      // Parsed here only to refuse a bad pattern before the server starts; the scheduler makes its own.
      new Cron(pattern, { paused: true, timezone: 'UTC' }).stop();
    } catch (error) {
      throw new Error(`Job '${name}': '${pattern}' is not a cron pattern (${(error as Error).message}).`);
    }
    this.byName.set(name, { name, pattern, handler });
  }

  list(): JobDefinition[] {
    return [...this.byName.values()];
  }
}
