import { changeLogTable, type ChangePositions } from '@causeway/core';
import { positionsLock } from './advisory-locks.js';
import { postgresDialect } from './postgres-dialect.js';

/** Where parallel writers leave their change-log entries until they are given positions. */
export const pendingChangesTable = '_changes_pending';

/** The statements the sequencer needs from the pool: one transaction at a time. */
export interface SequencerConnection {
  begin<T>(work: (sql: { unsafe(query: string, params?: unknown[]): Promise<Record<string, unknown>[]> }) => Promise<T>): Promise<T>;
}

const q = postgresDialect.quoteIdent;
const columns = 'collection, record_id, op, record, previous, created, version';

/**
 * Gives change-log positions to the entries of committed transactions, in commit order: concurrent writers
 * commit their entries to the pending table, and a sequencer moves every pending entry it can see into the
 * change log in one transaction, under a lock held until it commits. An entry is seen only once its writer has
 * committed, and a transaction that waited for another's row lock drew after that one committed, so positions
 * follow the order writes became visible, record by record; and since batches commit one after another, a reader
 * that sees position n has seen every position before it. Writers that commit while a batch runs share the next
 * one: a busy instance pays one sequencing transaction for many writes.
 *
 * Entries a writer left when its process died are moved by the next batch of any instance; their events reach
 * subscribers from the change log like any other instance's.
 */
export class ChangeSequencer implements ChangePositions {
  readonly pendingTable = pendingChangesTable;
  private waiting: { draws: readonly number[]; resolve: (seqs: number[]) => void; reject: (error: unknown) => void }[] = [];
  private running: Promise<void> | undefined;
  private readonly lock;
  private readonly move;
  private readonly find;

  constructor(private readonly connection: SequencerConnection, schema: string) {
    this.lock = positionsLock(schema);
    // Numbered in draw order by the identity as the rows are inserted in that order.
    this.move = `WITH moved AS (DELETE FROM ${q(pendingChangesTable)} RETURNING draw, ${columns})
      INSERT INTO ${q(changeLogTable)} (${columns}, draw) SELECT ${columns}, draw FROM moved ORDER BY draw RETURNING draw, seq`;
    this.find = `SELECT draw, seq FROM ${q(changeLogTable)} WHERE draw = ANY($1::bigint[])`;
  }

  assign(draws: readonly number[]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ draws, resolve, reject });
      this.running ??= this.drain().finally(() => (this.running = undefined));
    });
  }

  async idle(): Promise<void> {
    await this.running;
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      try {
        const positions = await this.sequence(batch.flatMap((request) => request.draws));
        const answers = batch.map((request) => ({ request, seqs: request.draws.map((draw) => positions.get(draw)) }));
        // Answered in log order, so this instance mostly publishes in the order readers will find its events (not
        // always: an entry this batch moved may belong to a write that asks only in the next one; the hub reads the
        // log to fill what it has not heard).
        answers.sort((a, b) => Math.max(0, ...a.seqs.map(Number)) - Math.max(0, ...b.seqs.map(Number)));
        for (const { request, seqs } of answers) {
          if (seqs.some((seq) => seq === undefined)) request.reject(new Error(`change-log entries ${request.draws.join(', ')} have no position`));
          else request.resolve(seqs as number[]);
        }
      } catch (error) {
        for (const request of batch) request.reject(error);
      }
    }
  }

  private async sequence(draws: readonly number[]): Promise<Map<number, number>> {
    return this.connection.begin(async (sql) => {
      await sql.unsafe(this.lock.sql, this.lock.params);
      const positions = new Map<number, number>();
      for (const row of await sql.unsafe(this.move)) positions.set(Number(row.draw), Number(row.seq));
      // Another instance's batch may have moved some of them first.
      const elsewhere = draws.filter((draw) => !positions.has(draw));
      if (elsewhere.length > 0) for (const row of await sql.unsafe(this.find, [elsewhere])) positions.set(Number(row.draw), Number(row.seq));
      return positions;
    });
  }
}
