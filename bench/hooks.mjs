// Hooks benchmark: create throughput with no hooks against the same server with a no-op before-create and
// after-create hook (the cost of running hooks inside the write), over HTTP and, steadier on a shared machine,
// through the records service in process (CPU per create); then the lag of an after-commit hook (from the
// write's timestamp to the hook running) under a steady 100 writes/s.
// Usage: npm run build && node bench/hooks.mjs [--duration 10] [--rounds 2] [--rate 100] [--seconds 10]
//   [--synchronous full|normal] [--postgres postgres://127.0.0.1:5432/test]
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { cpuMs, root, sleep, startCauseway, writeAtRate } from './support.mjs';

const { createServer, loadConfig } = await import(path.join(root, 'packages/server/dist/index.js'));

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    synchronous: { type: 'string', default: 'full' },
    postgres: { type: 'string' },
  },
});
const connections = 32;
const children = [];
const scratch = mkdtempSync(path.join(tmpdir(), 'causeway-bench-hooks-'));
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

function hooksDir(name, source) {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'hooks.ts'), source);
  return dir;
}

const noHooks = hooksDir('none', '');
const noOp = hooksDir('no-op', `
import { defineExtension } from '@causeway/server';
export default defineExtension((causeway) => {
  causeway.beforeCreate('posts', () => {});
  causeway.afterCreate('posts', () => {});
});
`);
const lagFile = path.join(scratch, 'lag.log');
const afterCommit = hooksDir('after-commit', `
import { appendFileSync } from 'node:fs';
import { defineExtension } from '@causeway/server';
export default defineExtension((causeway) => {
  causeway.afterCommit('posts', (change) => {
    appendFileSync(${JSON.stringify(lagFile)}, (Date.now() - Date.parse(change.at)) + '\\n');
  });
});
`);

let databases = 0;
async function start(hooks) {
  const dataDir = path.join(scratch, `data-${(databases += 1)}`);
  const env = { CAUSEWAY_HOOKS: hooks, CAUSEWAY_SQLITE_SYNCHRONOUS: options.synchronous };
  if (options.postgres) {
    const url = new URL(options.postgres);
    url.searchParams.set('schema', `cw_bench_hooks_${process.pid}_${databases}`);
    env.CAUSEWAY_DATABASE_URL = url.toString();
  }
  const server = await startCauseway({ dataDir, env, children });
  const first = await fetch(`${server.base}/api/admins/first-run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.com', password: 'bench admin passphrase' }) });
  const { token } = await first.json();
  const created = await fetch(`${server.base}/api/collections`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'posts', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text', required: true }, { name: 'n', type: 'number' }] }),
  });
  if (!created.ok) throw new Error(await created.text());
  return { ...server, token };
}

async function stop(server) {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

function creates(server) {
  const before = cpuMs(server.child.pid);
  return new Promise((resolve, reject) => {
    autocannon(
      { url: `${server.base}/api/collections/posts/records`, method: 'POST', connections, duration: Number(options.duration), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'a post' }) },
      (error, result) => {
        if (error) return reject(error);
        if (result.non2xx > 0 || result.errors > 0) return reject(new Error(`${result.non2xx} non-2xx, ${result.errors} errors`));
        resolve({ rps: result.requests.average, cpuUs: ((cpuMs(server.child.pid) - before) * 1000) / result.requests.total });
      },
    );
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fixed = (n, digits = 0) => n.toFixed(digits);

console.log(`database: ${options.postgres ? 'PostgreSQL' : `SQLite (synchronous ${options.synchronous})`}; create from ${connections} clients, ${options.duration} s per run, ${options.rounds} rounds`);
const totals = { none: { rps: 0, cpu: 0 }, hooks: { rps: 0, cpu: 0 } };
for (let round = 1; round <= Number(options.rounds); round++) {
  // Alternated, on fresh databases of the same size, so drift of the machine hits both alike.
  for (const [label, dir] of [['none', noHooks], ['hooks', noOp]]) {
    const server = await start(dir);
    const result = await creates(server);
    totals[label].rps += result.rps;
    totals[label].cpu += result.cpuUs;
    console.log(`  round ${round} ${label === 'none' ? 'no hooks          ' : 'no-op before+after'}: ${fixed(result.rps)} creates/s, ${fixed(result.cpuUs)} µs CPU per create`);
    await stop(server);
    await dropSchemas();
  }
}
const rounds = Number(options.rounds);
const [none, hooks] = [totals.none, totals.hooks].map((t) => ({ rps: t.rps / rounds, cpu: t.cpu / rounds }));
console.log(`create throughput: no hooks ${fixed(none.rps)}/s, no-op before+after hooks ${fixed(hooks.rps)}/s: ${fixed((1 - hooks.rps / none.rps) * 100, 1)}% fewer`);
console.log(`CPU per create: no hooks ${fixed(none.cpu)} µs, with hooks ${fixed(hooks.cpu)} µs: ${fixed((hooks.cpu / none.cpu - 1) * 100, 1)}% more`);

// In process: the records service alone, 32 creates at a time, so the hooks' share of a write is not lost in HTTP's.
async function inProcess(withHooks) {
  const config = loadConfig({ dataDir: path.join(scratch, `in-process-${(databases += 1)}`), port: 0, logLevel: 'silent', sqliteSynchronous: options.synchronous, hooks: noHooks, ...(options.postgres ? { databaseUrl: options.postgres.replace(/\?.*$/, '') + `?schema=cw_bench_hooks_${process.pid}_${databases}` } : {}) }, {});
  const server = await createServer({ config });
  await server.collections.create({ name: 'posts', fields: [{ name: 'title', type: 'text' }], createRule: '' });
  if (withHooks) {
    server.records.hooks.replace([
      { phase: 'before', action: 'create', collection: 'posts', run: () => {}, source: 'bench' },
      { phase: 'after', action: 'create', collection: 'posts', run: () => {}, source: 'bench' },
    ]);
  }
  const caller = { kind: 'anonymous' };
  const write = (count) => Promise.all(Array.from({ length: count }, () => server.records.create(caller, 'posts', { title: 'a post' })));
  for (let i = 0; i < 2000; i += 32) await write(32);
  const count = 20_000;
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i += 32) await write(32);
  const used = process.cpuUsage(cpu);
  const result = { rps: (count * 1000) / (performance.now() - started), cpuUs: (used.user + used.system) / count };
  await server.close();
  return result;
}
const inProcessTotals = { none: { rps: 0, cpu: 0 }, hooks: { rps: 0, cpu: 0 } };
for (let round = 1; round <= rounds; round++) {
  for (const label of ['none', 'hooks']) {
    const result = await inProcess(label === 'hooks');
    inProcessTotals[label].rps += result.rps;
    inProcessTotals[label].cpu += result.cpuUs;
  }
}
const [inNone, inHooks] = [inProcessTotals.none, inProcessTotals.hooks].map((t) => ({ rps: t.rps / rounds, cpu: t.cpu / rounds }));
console.log(`in process (records service): no hooks ${fixed(inNone.rps)} creates/s, ${fixed(inNone.cpu, 1)} µs CPU each; no-op hooks ${fixed(inHooks.rps)} creates/s, ${fixed(inHooks.cpu, 1)} µs CPU each: ${fixed((inHooks.cpu / inNone.cpu - 1) * 100, 1)}% more CPU, ${fixed((1 - inHooks.rps / inNone.rps) * 100, 1)}% fewer creates/s`);

const server = await start(afterCommit);
await writeAtRate({ url: `${server.base}/api/collections/posts/records`, token: server.token, perSecond: Number(options.rate), seconds: Number(options.seconds), body: (n) => ({ title: 'tick', n }) });
const expected = Number(options.rate) * Number(options.seconds);
for (let waited = 0; waited < 10_000; waited += 50) {
  if (readFileSync(lagFile, 'utf8').split('\n').filter(Boolean).length >= expected) break;
  await sleep(50);
}
const lags = readFileSync(lagFile, 'utf8').split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);
console.log(`after-commit hook lag at ${options.rate} writes/s for ${options.seconds} s (${lags.length}/${expected} changes): p50 ${percentile(lags, 50)} ms, p99 ${percentile(lags, 99)} ms, max ${lags.at(-1)} ms`);
await stop(server);

await dropSchemas();

/** The PostgreSQL schemas this run made go with it. */
async function dropSchemas() {
  if (!options.postgres) return;
  const { default: postgres } = await import('postgres');
  const sql = postgres(options.postgres.replace(/\?.*$/, ''), { max: 1, onnotice: () => undefined });
  for (const { nspname } of await sql`SELECT nspname FROM pg_namespace WHERE nspname LIKE ${`cw_bench_hooks_${process.pid}_%`}`) await sql.unsafe(`DROP SCHEMA "${nspname}" CASCADE`);
  await sql.end();
}
