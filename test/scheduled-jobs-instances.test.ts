import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { JobRuns } from '@causeway/core';
import { createCauseway } from '../packages/server/src/extend/create-causeway.js';
import { testPostgresServer } from './support/postgres-project.js';
import { serviceAvailable } from './support/services.js';
import { dropSchema, postgresUrlWithSchema } from './support/test-database.js';

const available = await serviceAvailable('PostgreSQL', '127.0.0.1', 5432);
const schema = `cw_cron_${randomBytes(4).toString('hex')}`;
const databaseUrl = postgresUrlWithSchema(testPostgresServer, schema);
const dir = mkdtempSync(path.join(tmpdir(), 'causeway-cron-'));

/** One instance: Causeway embedded in a program, with a job every second that writes which second it ran for. */
const script = `
  import { createCauseway, defineExtension } from ${JSON.stringify(pathToFileURL(path.resolve('packages/server/dist/index.js')).href)};
  const ext = defineExtension((c) => c.cron('every-second', '* * * * * *', async ({ records, scheduledAt }) => {
    await records.asAdmin().create('ticks', { at: scheduledAt.toISOString(), pid: process.pid });
  }));
  const causeway = await createCauseway({ dataDir: process.argv[2], logLevel: 'warn', extensions: [ext], env: process.env });
  console.log('started');
  process.on('SIGTERM', () => causeway.close().then(() => console.log('closed')));
`;

function startInstance(n: number): { child: ChildProcess; started: Promise<void>; exited: Promise<number | null> } {
  const file = path.join(dir, 'instance.mjs');
  writeFileSync(file, script);
  const child = spawn(process.execPath, [file, path.join(dir, `data-${n}`)], { env: { ...process.env, CAUSEWAY_DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const started = new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('started')) resolve();
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then(() => reject(new Error(`instance ${n} exited:\n${output}`)));
  });
  return { child, started, exited };
}

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (available) await dropSchema(testPostgresServer, schema);
});

describe.skipIf(!available)('a per-second job on two instances of one PostgreSQL deployment', () => {
  it('runs once for each scheduled second, on one instance or the other, never both', async () => {
    const setup = await createCauseway({ dataDir: path.join(dir, 'setup'), databaseUrl, logLevel: 'silent' });
    await setup.server.collections.create({ name: 'ticks', fields: [{ name: 'at', type: 'text' }, { name: 'pid', type: 'number', integer: true }] });
    await setup.close();

    const instances = [startInstance(1), startInstance(2)];
    await Promise.all(instances.map((i) => i.started));
    await new Promise((resolve) => setTimeout(resolve, 6000));
    for (const instance of instances) instance.child.kill('SIGTERM');
    expect(await Promise.all(instances.map((i) => i.exited))).toEqual([0, 0]);

    const check = await createCauseway<{ ticks: { record: { id: string; created: string; updated: string; at: string; pid: number }; create: object; update: object } }>({ dataDir: path.join(dir, 'check'), databaseUrl, logLevel: 'silent' });
    try {
      const items = (await check.records.asAdmin().list('ticks', { limit: 500, sort: 'at' })).items;
      const seconds = items.map((tick) => tick.at);
      // Each scheduled second written once: no duplicates.
      expect(new Set(seconds).size).toBe(seconds.length);
      expect(seconds.length).toBeGreaterThanOrEqual(4);
      // And none skipped while both ran.
      const times = [...seconds].sort().map((at) => Date.parse(at));
      const gaps = times.slice(1).filter((time, i) => time - times[i]! !== 1000);
      expect(gaps).toEqual([]);
      // The history agrees: one row per second, claimed by one of the two processes.
      const runs = await new JobRuns(check.server.db).recent(500, 'every-second');
      expect(runs.map((r) => r.scheduledAt).sort()).toEqual([...seconds].sort());
      expect(runs.every((r) => r.ok === true)).toBe(true);
      expect(new Set(items.map((tick) => tick.pid)).size).toBeGreaterThanOrEqual(1);
    } finally {
      await check.close();
    }
  }, 60_000);
});
