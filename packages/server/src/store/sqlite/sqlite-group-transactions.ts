import type { SqlExecutor } from '@causeway/core';
import type { GroupTransactions, GroupWork, Outcome } from '../group-commit.js';

/** What a group transaction needs of a SQLite connection: statements by text, and whether a transaction is open. */
export interface GroupConnection {
  exec(sql: string): void;
  readonly inTransaction: boolean;
}

/** A group of writes in one `BEGIN IMMEDIATE` … `COMMIT` on the single writer connection. */
export class SqliteGroupTransactions implements GroupTransactions {
  constructor(
    private readonly connection: GroupConnection,
    private readonly executor: SqlExecutor,
    private readonly explain: (error: unknown) => unknown,
  ) {}

  async commit(works: readonly GroupWork[]): Promise<{ outcomes: Outcome[]; committed: boolean }> {
    this.connection.exec('BEGIN IMMEDIATE');
    try {
      const outcomes = works.length === 1 ? [await this.runOnly(works[0]!)] : await this.runEach(works);
      if (!this.connection.inTransaction) return { outcomes, committed: false };
      // COMMIT itself can fail (a full disk when the WAL grows): nothing in the group is kept.
      this.connection.exec('COMMIT');
      return { outcomes, committed: true };
    } catch (error) {
      if (this.connection.inTransaction) this.connection.exec('ROLLBACK');
      throw error;
    }
  }

  /** A group of one needs no savepoint: the transaction is its own. */
  private async runOnly(work: GroupWork): Promise<Outcome> {
    try {
      return { ok: true, value: await work(this.executor) };
    } catch (error) {
      if (this.connection.inTransaction) this.connection.exec('ROLLBACK');
      return { ok: false, error: this.explain(error) };
    }
  }

  private async runEach(works: readonly GroupWork[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const work of works) {
      this.connection.exec('SAVEPOINT causeway_write');
      try {
        const value = await work(this.executor);
        this.connection.exec('RELEASE causeway_write');
        outcomes.push({ ok: true, value });
      } catch (error) {
        const explained = this.explain(error);
        if (!this.connection.inTransaction) {
          // SQLite rolled the whole transaction back (some I/O and full-disk errors do): the writes before this
          // one are gone with it and fail with its error, being unacknowledged; the rest run in the next group.
          for (const [index, earlier] of outcomes.entries()) if (earlier.ok) outcomes[index] = { ok: false, error: explained };
          outcomes.push({ ok: false, error: explained });
          return outcomes;
        }
        this.connection.exec('ROLLBACK TO causeway_write');
        this.connection.exec('RELEASE causeway_write');
        outcomes.push({ ok: false, error: explained });
      }
    }
    return outcomes;
  }
}
