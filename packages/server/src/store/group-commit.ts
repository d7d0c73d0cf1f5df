import type { SqlExecutor, TransactionOptions } from '@causeway/core';

/** One write of a group: what the core asked to run in a transaction. */
export type GroupWork = (tx: SqlExecutor) => Promise<unknown>;

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** How one database runs a group of writes in one transaction. */
export interface GroupTransactions {
  /**
   * Runs `works` one after another in one transaction, each able to fail alone (a savepoint each, or the whole
   * transaction for a group of one), then commits. Resolves to one outcome per write it ran, in order: fewer when
   * the database dropped the transaction partway (those before it then carry its error; the rest run in the next
   * group), with `committed` false when nothing was committed. Rejects when the group failed as a whole (BEGIN,
   * COMMIT, a savepoint statement, a lost connection): nothing of it is kept.
   */
  commit(works: readonly GroupWork[]): Promise<{ outcomes: Outcome[]; committed: boolean }>;
}

interface Job {
  work: GroupWork;
  onCommit: ((result: unknown) => void) | undefined;
  alone: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Enough to share one commit's sync among every client a busy server has; bounds a write's wait behind others. */
const maxGroup = 64;

/**
 * Write transactions committed in groups: writes that arrive while a transaction runs wait, and the next
 * transaction runs them all, each in a savepoint of its own, then commits once. One commit (its sync, its round
 * trips, on PostgreSQL its deployment-wide lock) is then shared by every write in the group — what lets a server
 * beat a route that commits each request on its own.
 *
 * Each write keeps its guarantees: it runs alone on the connection (one after another, so it sees the writes
 * before it in its group, as it would had they committed first); one that fails is rolled back to its savepoint
 * and fails with its own error while the others commit; nobody is answered before the COMMIT that holds their
 * write has returned; `onCommit` callbacks then run in the order the writes ran (change-log order).
 *
 * A group starts on `setImmediate`, after the event loop has read every request that arrived meanwhile (better-
 * sqlite3 is synchronous: without that turn each write would run to its commit before the next request is read).
 */
export class GroupCommit {
  private pending: Job[] = [];
  private busy = false;
  private idleWaiters: (() => void)[] = [];
  /** Transactions committed so far, each holding one write or more: how well writes are grouped. */
  commits = 0;

  constructor(
    private readonly transactions: GroupTransactions,
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
    await this.commit(this.take());
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
    let outcomes: Outcome[];
    try {
      const result = await this.transactions.commit(group.map((job) => job.work));
      outcomes = result.outcomes;
      if (result.committed) this.commits++;
    } catch (error) {
      // Nothing of the group is kept or left waiting (settling a promise twice is a no-op).
      const explained = this.explain(error);
      for (const job of group) job.reject(explained);
      return;
    }
    if (outcomes.length < group.length) {
      // The transaction was lost mid-group: the writes after that point never ran; they go next.
      this.pending.unshift(...group.splice(outcomes.length));
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
}
