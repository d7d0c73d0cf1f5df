import type { ChangeEvent } from '../events/change-event.js';
import { changeFromRow, changeLogTable } from '../records/change-log.js';
import type { SqlDatabase } from '../sql/sql-database.js';
import { sqlTemplate, type SqlTemplate } from '../sql/sql-template.js';

/** How much of the change log to keep; the newest entry is always kept, so resume can tell "too old". */
export interface ChangeLogRetention {
  maxAgeMs?: number;
  maxCount?: number;
}

/** Reads the change log in commit order: what realtime replays to a client that resumes. */
export class ChangeFeed {
  private readonly s: SqlTemplate;

  constructor(private readonly db: SqlDatabase) {
    this.s = sqlTemplate(db.dialect);
  }

  async since(seq: number, limit = 1000): Promise<ChangeEvent[]> {
    const { text, params } = this.s.q`SELECT * FROM ${this.s.id(changeLogTable)} WHERE seq > ${seq} ORDER BY seq LIMIT ${limit}`;
    return (await this.db.all(text, params)).map(changeFromRow);
  }

  /** The newest position, 0 for an empty log. */
  async latest(): Promise<number> {
    const { text, params } = this.s.q`SELECT MAX(seq) AS seq FROM ${this.s.id(changeLogTable)}`;
    return Number((await this.db.get(text, params))?.seq ?? 0);
  }

  /** The oldest position still held, undefined for an empty log. */
  async oldest(): Promise<number | undefined> {
    const { text, params } = this.s.q`SELECT MIN(seq) AS seq FROM ${this.s.id(changeLogTable)}`;
    const seq = (await this.db.get(text, params))?.seq;
    return seq === null || seq === undefined ? undefined : Number(seq);
  }

  /** Deletes entries older than the retention allows; returns how many went. */
  async prune(retention: ChangeLogRetention, now = Date.now()): Promise<number> {
    const latest = await this.latest();
    let below = latest; // entries with seq < below may go; the newest never does
    if (retention.maxCount !== undefined) below = Math.min(below, latest - retention.maxCount + 1);
    let cutoff = '';
    if (retention.maxAgeMs !== undefined) cutoff = new Date(now - retention.maxAgeMs).toISOString();
    const t = this.s.id(changeLogTable);
    const statement =
      retention.maxAgeMs !== undefined && retention.maxCount !== undefined
        ? this.s.q`DELETE FROM ${t} WHERE seq < ${latest} AND (seq < ${below} OR created < ${cutoff})`
        : retention.maxAgeMs !== undefined
          ? this.s.q`DELETE FROM ${t} WHERE seq < ${latest} AND created < ${cutoff}`
          : this.s.q`DELETE FROM ${t} WHERE seq < ${below}`;
    if (retention.maxAgeMs === undefined && retention.maxCount === undefined) return 0;
    return (await this.db.transaction((tx) => tx.run(statement.text, statement.params))).changes;
  }
}
