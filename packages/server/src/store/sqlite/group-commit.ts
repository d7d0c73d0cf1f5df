import type { SqlExecutor, TransactionOptions } from '@causeway/core';

/** What group commit needs of a connection: statements by text, and whether a transaction is open. */
export interface GroupConnection {
  exec(sql: string): void;
  readonly inTransaction: boolean;
}

interface Job {
  work: (tx: SqlExecutor) => Promise<unknown>;
  onCommit: ((result: unknown) => void) | undefined;
  alone: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Enough to share one commit's sync among every client a busy server has; bounds a write's wait behind others. */
const maxGroup = 64;

/**
 * Write transactions for one SQLite connection, committed in groups: writes that arrive while a transaction runs
 * wait, and the next transaction runs them all, each in a savepoint of its own, then commits once. One commit's
 * sync (the cost of a durable write) is then shared by every write in the group — what lets a server beat a route
 * that commits each request on its own.
 *
 * Each write keeps its guarantees: it runs alone on the connection (one after another, so it sees the writes
 * before it in its group, as it would had they committed first); one that fails is rolled back to its savepoint
 * and fails with its own error while the others commit; nobody is answered before the COMMIT that holds their
 * write has returned; `onCommit` callbacks then run in the order the writes ran (change-log order).
 *
 * A group starts on `setImmediate`, after the event loop has read every request that arrived meanwhile: better-
 * sqlite3 is synchronous, so without that turn each write would run to its commit before the next request is read.
 */
export class GroupCommit {
  private pending: Job[] = [];
  private busy = false;
  private idleWaiters: (() => void)[] = [];
  /** Transactions committed so far, each holding one write or more: how well writes are grouped. */
  commits = 0;

  constructor(
    private readonly connection: GroupConnection,
    private readonly executor: SqlExecutor,
    private readonly explain: (error: unknown) => unknown,
  ) {}

  run<T>(work: (tx: SqlExecutor) => Promise<T>, onCommit?: (result: T) => void, options: TransactionOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        work,
        onCommit: onCommit as ((result: unknown) => void) | undefined,
        alone: options.alone === true,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.schedule();
    });
  }

  /** Resolves once everything queued so far has finished. */
  idle(): Promise<void> {
    if (!this.busy && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.busy) return;
    this.busy = true;
    setImmediate(() => void this.next());
  }

  private async next(): Promise<void> {
    const group = this.take();
    try {
      await this.commit(group);
    } catch (error) {
      // A savepoint statement failed: a bug or a broken connection. Nothing of the group is kept or left waiting
      // (settling a promise twice is a no-op, so the writes already answered keep their answer).
      if (this.connection.inTransaction) this.connection.exec('ROLLBACK');
      for (const job of group) job.reject(this.explain(error));
    }
    if (this.pending.length > 0) {
      setImmediate(() => void this.next());
      return;
    }
    this.busy = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** The next group: a write that asked to be alone gets a transaction of its own, so its onCommit runs before any other write. */
  private take(): Job[] {
    const first = this.pending[0]!;
    if (first.alone) return this.pending.splice(0, 1);
    let end = 1;
    while (end < this.pending.length && end < maxGroup && !this.pending[end]!.alone) end++;
    return this.pending.splice(0, end);
  }

  private async commit(group: Job[]): Promise<void> {
    try {
      this.connection.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const job of group) job.reject(this.explain(error));
      return;
    }
    const outcomes = group.length === 1 ? [await this.runOnly(group[0]!)] : await this.runEach(group);
    if (outcomes.length < group.length) {
      // The transaction was lost mid-group (see runEach): the writes after that point never ran; they go next.
      this.pending.unshift(...group.splice(outcomes.length));
    }
    if (this.connection.inTransaction) {
      try {
        this.connection.exec('COMMIT');
        this.commits++;
      } catch (error) {
        // COMMIT itself can fail (a full disk when the WAL grows): nothing in the group is kept.
        if (this.connection.inTransaction) this.connection.exec('ROLLBACK');
        for (const job of group) job.reject(this.explain(error));
        return;
      }
    }
    for (const [index, job] of group.entries()) {
      const outcome = outcomes[index]!;
      if (!outcome.ok) {
        job.reject(outcome.error);
        continue;
      }
      try {
        job.onCommit?.(outcome.value);
        job.resolve(outcome.value);
      } catch (error) {
        job.reject(error);
      }
    }
  }

  /** A group of one needs no savepoint: the transaction is its own. */
  private async runOnly(job: Job): Promise<Outcome> {
    try {
      return { ok: true, value: await job.work(this.executor) };
    } catch (error) {
      if (this.connection.inTransaction) this.connection.exec('ROLLBACK');
      return { ok: false, error: this.explain(error) };
    }
  }

  private async runEach(group: Job[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const job of group) {
      this.connection.exec('SAVEPOINT causeway_write');
      try {
        const value = await job.work(this.executor);
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
