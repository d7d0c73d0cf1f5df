import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRuns } from '@causeway/core';
import { defineExtension } from '../packages/server/src/extend/extender.js';
import { collect } from './support/extensions.js';
import { openDatabase } from '../packages/server/src/store/open-database.js';
import { anonymous, signUp } from './support/accounts.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 8000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let ticks = 0;
let failures = 0;
let manual = 0;
const jobs = defineExtension((causeway) => {
  causeway.cron('tick', '* * * * * *', async ({ records, scheduledAt }) => {
    ticks++;
    await records.asAdmin().create('ticks', { at: scheduledAt.toISOString() });
  });
  causeway.cron('broken', '* * * * * *', () => {
    failures++;
    throw new Error('the payment provider is down');
  });
  // Never due in these tests: run by hand only.
  causeway.cron('yearly-report', '0 0 1 1 *', async ({ records }) => {
    manual++;
    await records.asAdmin().create('ticks', { at: 'manual' });
  });
  causeway.route('GET', '/api/custom/report', { summary: 'A report' }, () => ({}));
});

let t: TestServer;
/** Runs before this found no collection to write to (the server starts its jobs before the test makes it). */
let collectionReady = '';

beforeAll(async () => {
  t = await startTestServer({ extensions: [jobs], config: { jobRunsKept: 3 } });
  expect((await t.request('POST', '/api/collections', { name: 'ticks', fields: [{ name: 'at', type: 'text' }] })).status).toBe(201);
  collectionReady = new Date().toISOString();
});
afterAll(() => t.stop());

describe('registering jobs', () => {
  it('refuses a bad pattern, a bad name and a name used twice before the server starts', async () => {
    await expect(collect([(c) => c.cron('x', 'every day at noon', () => undefined)])).rejects.toThrow(/'every day at noon' is not a cron pattern/);
    await expect(collect([(c) => c.cron('no spaces', '* * * * *', () => undefined)])).rejects.toThrow(/a name is/);
    await expect(collect([(c) => {
      c.cron('twice', '* * * * *', () => undefined);
      c.cron('twice', '0 * * * *', () => undefined);
    }])).rejects.toThrow(/added twice/);
  });
});

describe('a scheduled job', () => {
  it('runs on its schedule through the records service, and each run is in the history', async () => {
    const page = await eventually(() => t.request('GET', '/api/collections/ticks/records?filter=' + encodeURIComponent('at != "manual"')), (r) => r.body.items.length >= 2);
    expect(page.body.items.length).toBeGreaterThanOrEqual(2);
    const runs = (await t.request('GET', '/api/extensions')).body.runs.filter((r: Json) => r.job === 'tick');
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs[0]).toMatchObject({ job: 'tick', instance: t.server.jobs.instance });
    const finished = runs.filter((r: Json) => r.finished !== null && r.started > collectionReady);
    expect(finished.length).toBeGreaterThanOrEqual(1);
    expect(finished.every((r: Json) => r.ok === true && r.error === null)).toBe(true);
    // Scheduled times are whole seconds, the same on every instance.
    expect(runs.every((r: Json) => /T\d\d:\d\d:\d\d\.000Z$/.test(r.scheduledAt))).toBe(true);
  });

  it('keeps only the newest runs of each job', async () => {
    await eventually(async () => ticks, (n) => n >= 5);
    const kept = await new JobRuns(t.server.db).recent(100, 'tick');
    expect(kept.length).toBeLessThanOrEqual(3 + 1);
  });

  it('a job that throws is recorded as failed with its message, and keeps its schedule', async () => {
    const overview = await eventually(() => t.request('GET', '/api/extensions'), (r) => r.body.errors.jobs.filter((run: Json) => run.job === 'broken').length >= 2);
    const failed = overview.body.errors.jobs.filter((run: Json) => run.job === 'broken');
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed[0]).toMatchObject({ ok: false, error: 'the payment provider is down' });
    expect(failures).toBeGreaterThanOrEqual(2);
    expect((await t.request('GET', '/api/health', undefined, anonymous)).status).toBe(200);
  });
});

describe('GET /api/extensions', () => {
  it('lists routes and jobs with their next run, for admins only', async () => {
    const overview = (await t.request('GET', '/api/extensions')).body;
    expect(overview.hooks).toEqual([]);
    expect(overview.routes).toEqual([{ method: 'GET', path: '/api/custom/report', auth: 'signed-in', summary: 'A report' }]);
    expect(overview.jobs.map((j: Json) => j.name)).toEqual(['tick', 'broken', 'yearly-report']);
    const yearly = overview.jobs.find((j: Json) => j.name === 'yearly-report');
    expect(yearly.nextRun).toMatch(/-01-01T00:00:00\.000Z$/);
    expect((await t.request('GET', '/api/extensions', undefined, anonymous)).status).toBe(401);
    const user = await signUp(t, 'jobs@example.com');
    expect((await t.request('GET', '/api/extensions', undefined, user.auth)).status).toBe(403);
    expect((await t.request('POST', '/api/extensions/jobs/yearly-report/run', undefined, user.auth)).status).toBe(403);
    expect(manual).toBe(0);
  });
});

describe('running a job now', () => {
  it('runs it at once for an admin and answers the finished run', async () => {
    const response = await t.request('POST', '/api/extensions/jobs/yearly-report/run');
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({ job: 'yearly-report', ok: true, error: null });
    expect(response.body.finished).not.toBeNull();
    expect(manual).toBe(1);
    expect((await t.request('GET', '/api/collections/ticks/records?filter=' + encodeURIComponent('at = "manual"'))).body.items).toHaveLength(1);
  });

  it('runs it once when two admins ask at the same moment: the other is told it is running', async () => {
    const before = manual;
    const answers = await Promise.all([t.request('POST', '/api/extensions/jobs/yearly-report/run'), t.request('POST', '/api/extensions/jobs/yearly-report/run')]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)!.body.code).toBe('CONFIRMATION_REQUIRED');
    expect(manual).toBe(before + 1);
  });

  it('answers a job that does not exist 404', async () => {
    const response = await t.request('POST', '/api/extensions/jobs/nope/run');
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('NOT_FOUND');
  });
});

describe('the lease on a scheduled time', () => {
  it('is won by exactly one of several connections claiming it at once', async () => {
    const config = t.server;
    const databases = [config.db, openDatabase((await import('../packages/server/src/config/config.js')).loadConfig({ dataDir: t.dataDir, ...(await import('./support/test-database.js')).testDatabaseFlags(t.dataDir) }, {}).db)];
    try {
      const at = new Date(Date.UTC(2030, 0, 1, 3, 0, 0));
      const claims = await Promise.all([0, 1, 0, 1, 0, 1].map((i, n) => new JobRuns(databases[i]!).claim('lease-test', at, `instance-${n}`)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      // Another time of the same job is a run of its own.
      expect(await new JobRuns(databases[1]!).claim('lease-test', new Date(at.getTime() + 1000), 'instance-9')).toBe(true);
    } finally {
      await databases[1]!.close();
    }
  });
});

describe('closing with a job running', () => {
  it('tells the job through its signal and waits for it to finish', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let sawAbort = false;
    let finished = false;
    const server = await startTestServer({
      admin: false,
      extensions: [(c) => c.cron('long', '0 0 1 1 *', async ({ signal }) => {
        started();
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        sawAbort = signal.aborted;
        await new Promise((resolve) => setTimeout(resolve, 200));
        finished = true;
      })],
    });
    const run = server.server.jobs.runNow('long');
    await running;
    const closedAt = Date.now();
    await server.stop();
    expect(sawAbort).toBe(true);
    expect(finished).toBe(true);
    expect(Date.now() - closedAt).toBeLessThan(5000);
    await run.catch(() => undefined);
  });
});
