import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendChange, ChangeFeed, prepareDatabase, sqlTemplate, type ChangeEvent, type ClusterSignal } from '@causeway/core';
import { PostgresBus } from '../packages/server/src/events/postgres-bus.js';
import { PostgresDatabase } from '../packages/server/src/store/postgres/postgres-database.js';
import { testPostgresServer } from './support/postgres-project.js';
import { serviceAvailable } from './support/services.js';
import { dropSchema, postgresUrlWithSchema } from './support/test-database.js';

const available = await serviceAvailable('PostgreSQL', '127.0.0.1', 5432);
const schema = `cw_bus_${randomBytes(4).toString('hex')}`;
const channel = `causeway_test_${randomBytes(4).toString('hex')}`;

/** Two instances' worth of database and bus on one schema. */
let instances: { db: PostgresDatabase; bus: PostgresBus }[] = [];

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe.skipIf(!available)('the PostgreSQL LISTEN/NOTIFY event bus', () => {
  beforeAll(async () => {
    instances = [0, 1].map(() => {
      const db = new PostgresDatabase({ url: postgresUrlWithSchema(testPostgresServer, schema), maxConnections: 2 });
      return { db, bus: new PostgresBus(db, new ChangeFeed(db), channel) };
    });
    await prepareDatabase(instances[0]!.db);
    await Promise.all(instances.map(({ bus }) => bus.connected()));
  });

  afterAll(async () => {
    for (const { bus, db } of instances) {
      await bus.close();
      await db.close();
    }
    if (available) await dropSchema(testPostgresServer, schema);
  });

  /** Commits `count` changes with records of `size` characters, as a write on instance A would. */
  async function commit(count: number, size: number): Promise<ChangeEvent[]> {
    const { db } = instances[0]!;
    const s = sqlTemplate(db.dialect);
    return db.transaction(async (tx) => {
      const events: ChangeEvent[] = [];
      for (let i = 0; i < count; i++) {
        const record = { id: randomBytes(6).toString('hex'), created: '', updated: '', text: 'x'.repeat(size) };
        events.push(await appendChange(tx, s, undefined, 'notes', 'create', record, null, new Date().toISOString(), 1));
      }
      return events;
    });
  }

  it('carries small batches whole and big ones as a change-log range, to the other instance only', async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const onA: ChangeEvent[] = [];
    const onB: ChangeEvent[] = [];
    a.bus.subscribe((events) => onA.push(...events));
    b.bus.subscribe((events) => onB.push(...events));
    const small = await commit(3, 10);
    await a.bus.publish(small);
    const big = await commit(4, 5000);
    await a.bus.publish(big);
    await until(() => onB.length >= 7);
    expect(onB).toEqual([...small, ...big]);
    // The publisher's own listeners hear each batch once, at once, not again from PostgreSQL.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(onA).toEqual([...small, ...big]);
  });

  it('carries signals to the other instances', async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const onA: ClusterSignal[] = [];
    const onB: ClusterSignal[] = [];
    a.bus.onSignal((signal) => onA.push(signal));
    b.bus.onSignal((signal) => onB.push(signal));
    await a.bus.signal({ kind: 'session-ended', sessionId: 's1' });
    await until(() => onB.length > 0);
    expect(onB).toEqual([{ kind: 'session-ended', sessionId: 's1' }]);
    expect(onA).toEqual([]);
  });
});
