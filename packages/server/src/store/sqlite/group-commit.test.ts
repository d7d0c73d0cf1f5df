import { describe, expect, it } from 'vitest';
import type { SqlExecutor } from '@causeway/core';
import { GroupCommit, type GroupConnection } from './group-commit.js';

/** A connection that records the transaction statements and fails where a test says. */
class FakeConnection implements GroupConnection {
  readonly log: string[] = [];
  inTransaction = false;
  failOn: string | undefined;

  exec(sql: string): void {
    if (sql === this.failOn) throw new Error(`${sql} failed`);
    this.log.push(sql);
    if (sql === 'BEGIN IMMEDIATE') this.inTransaction = true;
    if (sql === 'COMMIT' || sql === 'ROLLBACK') this.inTransaction = false;
  }
}

const executor = {} as SqlExecutor;

function setup() {
  const connection = new FakeConnection();
  return { connection, writes: new GroupCommit(connection, executor, (error) => error) };
}

const settle = (promises: Promise<unknown>[]) =>
  Promise.allSettled(promises).then((outcomes) => outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)));

describe('GroupCommit', () => {
  it('commits writes issued together in one transaction, a savepoint each, and runs onCommit in order before answering', async () => {
    const { connection, writes } = setup();
    const order: string[] = [];
    const run = (name: string) => writes.run(async () => name, (result) => order.push(`commit ${result}`)).then((result) => (order.push(`answer ${result}`), result));
    expect(await settle([run('a'), run('b')])).toEqual(['a', 'b']);
    expect(connection.log).toEqual(['BEGIN IMMEDIATE', 'SAVEPOINT causeway_write', 'RELEASE causeway_write', 'SAVEPOINT causeway_write', 'RELEASE causeway_write', 'COMMIT']);
    expect(order.slice(0, 2)).toEqual(['commit a', 'commit b']);
    expect(writes.commits).toBe(1);
  });

  it('rolls a failing write back to its savepoint; it fails alone and the others commit', async () => {
    const { connection, writes } = setup();
    const failing = writes.run(async () => {
      throw new Error('invalid');
    });
    expect(await settle([writes.run(async () => 'a'), failing, writes.run(async () => 'c')])).toEqual(['a', 'invalid', 'c']);
    expect(connection.log).toContain('ROLLBACK TO causeway_write');
    expect(connection.log.at(-1)).toBe('COMMIT');
  });

  it('fails every write of the group when the COMMIT fails, and calls no onCommit', async () => {
    const { connection, writes } = setup();
    connection.failOn = 'COMMIT';
    let committed = 0;
    const run = () => writes.run(async () => 'ok', () => committed++);
    expect(await settle([run(), run()])).toEqual(['COMMIT failed', 'COMMIT failed']);
    expect(committed).toBe(0);
    expect(connection.log.at(-1)).toBe('ROLLBACK');
  });

  it('gives a write that asks to be alone a transaction of its own, its onCommit before the next write runs', async () => {
    const { writes } = setup();
    const order: string[] = [];
    const first = writes.run(async () => order.push('first runs'));
    const alone = writes.run(async () => order.push('alone runs'), () => order.push('alone committed'), { alone: true });
    const after = writes.run(async () => order.push('after runs'));
    await Promise.all([first, alone, after]);
    expect(order).toEqual(['first runs', 'alone runs', 'alone committed', 'after runs']);
    expect(writes.commits).toBe(3);
  });

  it('when SQLite drops the transaction mid-group, fails the writes before with its error and runs the rest next', async () => {
    const { connection, writes } = setup();
    const before = writes.run(async () => 'a');
    const dropping = writes.run(async () => {
      connection.inTransaction = false;
      throw new Error('disk I/O error');
    });
    const after = writes.run(async () => 'c');
    expect(await settle([before, dropping, after])).toEqual(['disk I/O error', 'disk I/O error', 'c']);
    expect(writes.commits).toBe(1);
  });
});
