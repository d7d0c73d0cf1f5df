import type { JobRunEntry } from '@causeway/wire';
import type { SqlDatabase } from '../sql/sql-database.js';
import { sqlTemplate, type SqlTemplate } from '../sql/sql-template.js';

/**
 * Scheduled jobs' runs: one row per job and scheduled time, claimed by the instance that runs it. The primary key
 * is the lease: instances sharing the database race to insert the same row and exactly one succeeds. All columns
 * are text (times as ISO 8601, `ok` as '1' / '0', null while running), like the other system tables.
 */
export const jobRunsTable = '_job_runs';

/** One run as the history shows it (the wire's `JobRunEntry`). */
export type JobRun = JobRunEntry;

/** The longest error text kept: a stack trace is for the log, the history only needs to say what went wrong. */
const maxErrorLength = 2000;

export class JobRuns {
  private readonly s: SqlTemplate;

  constructor(private readonly db: SqlDatabase) {
    this.s = sqlTemplate(db.dialect);
  }

  /**
   * Claims the run of `job` scheduled at `scheduledAt` for `instance`: true for exactly one of the instances that
   * ask (the one whose row went in), false for every other.
   */
  async claim(job: string, scheduledAt: Date, instance: string, now = new Date()): Promise<boolean> {
    const { text, params } = this.s.q`INSERT INTO ${this.s.id(jobRunsTable)} (job, scheduled_at, started, instance) VALUES (${job}, ${scheduledAt.toISOString()}, ${now.toISOString()}, ${instance}) ON CONFLICT (job, scheduled_at) DO NOTHING`;
    return (await this.db.transaction((tx) => tx.run(text, params))).changes === 1;
  }

  /** Records how a claimed run ended. */
  async finish(job: string, scheduledAt: Date, outcome: { ok: boolean; error?: string }, now = new Date()): Promise<void> {
    const error = outcome.error === undefined ? null : outcome.error.slice(0, maxErrorLength);
    const { text, params } = this.s.q`UPDATE ${this.s.id(jobRunsTable)} SET finished = ${now.toISOString()}, ok = ${outcome.ok ? '1' : '0'}, error = ${error} WHERE job = ${job} AND scheduled_at = ${scheduledAt.toISOString()}`;
    await this.db.transaction((tx) => tx.run(text, params));
  }

  /** Keeps the newest `keep` runs of `job` and deletes the rest; returns how many went. */
  async prune(job: string, keep: number): Promise<number> {
    const t = this.s.id(jobRunsTable);
    const { text, params } = this.s.q`DELETE FROM ${t} WHERE job = ${job} AND scheduled_at < (SELECT scheduled_at FROM ${t} WHERE job = ${job} ORDER BY scheduled_at DESC LIMIT 1 OFFSET ${keep - 1})`;
    return (await this.db.transaction((tx) => tx.run(text, params))).changes;
  }

  /** The newest runs, of every job or of one, newest first. */
  async recent(limit: number, job?: string): Promise<JobRun[]> {
    const t = this.s.id(jobRunsTable);
    const { text, params } = job === undefined
      ? this.s.q`SELECT * FROM ${t} ORDER BY started DESC, job LIMIT ${limit}`
      : this.s.q`SELECT * FROM ${t} WHERE job = ${job} ORDER BY scheduled_at DESC LIMIT ${limit}`;
    return (await this.db.all(text, params)).map((row) => ({
      job: String(row.job),
      scheduledAt: String(row.scheduled_at),
      started: String(row.started),
      finished: row.finished === null || row.finished === undefined ? null : String(row.finished),
      ok: row.ok === null || row.ok === undefined ? null : row.ok === '1',
      error: row.error === null || row.error === undefined ? null : String(row.error),
      instance: String(row.instance),
    }));
  }
}
