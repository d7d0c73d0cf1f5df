// Single-record creates on PostgreSQL with 32 concurrent clients: Causeway with one instance and with two (the
// connections split between them), against a hand-written Fastify + postgres.js route that inserts the row and an
// outbox row in one transaction per request (bench/hand-written-postgres-route.mjs). Alternating, --rounds times.
// Needs PostgreSQL on 127.0.0.1:5432 (trust); makes and drops its own schemas. Each line also gives the CPU per
// create of the subject's processes and of PostgreSQL (all its processes, so run it on a quiet database), and the
// database's transactions per create.
// Usage: npm run build && node bench/postgres-writes.mjs [--duration 5] [--rounds 2] [--connections 32]
//   [--server path/to/an/other/build/packages/server/dist/cli/main.js]   (also measures that build, one instance)
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { cleanUp, cpuMs, freePort, root, sleep, startCauseway, stopChildren } from './support.mjs';

const arg = (name, fallback) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : fallback);
const duration = Number(arg('duration', 5));
const rounds = Number(arg('rounds', 2));
const connections = Number(arg('connections', 32));
const otherBuild = arg('server', undefined);
const postgresServer = process.env.CAUSEWAY_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const children = [];
const dataDirs = [];
const schemas = [];
const admin = { email: 'bench@example.com', password: 'bench admin passphrase' };
const tokenSecret = randomBytes(32).toString('hex');

function freshSchema() {
  const schema = `cw_bench_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  const url = new URL(postgresServer);
  url.searchParams.set('schema', schema);
  return url.toString();
}

async function causeway(url, script) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-pgw-'));
  dataDirs.push(dataDir);
  const env = { CAUSEWAY_DATABASE_URL: url, CAUSEWAY_TOKEN_SECRET: tokenSecret, CAUSEWAY_AUTH_RATE_LIMIT: '100000' };
  return startCauseway({ dataDir, children, env, ...(script ? { script } : {}) });
}

/** One Causeway deployment on a fresh schema with `instances` instances, an open `items` collection; its bases and a token. */
async function deployment(instances, script) {
  const url = freshSchema();
  const first = await causeway(url, script);
  const bases = [first.base];
  for (let i = 1; i < instances; i++) bases.push((await causeway(url, script)).base);
  const signedUp = await fetch(`${first.base}/api/admins/first-run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
  const { token } = await signedUp.json();
  const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
  const made = await fetch(`${first.base}/api/collections`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'items', ...open, fields: [{ name: 'title', type: 'text' }, { name: 'views', type: 'number', integer: true }] }) });
  if (!made.ok) throw new Error(`collection: ${made.status} ${await made.text()}`);
  // Every instance knows the collection before the load starts (they re-read the schema on their own).
  for (const base of bases) while (!(await fetch(`${base}/api/collections/items/records?limit=1`)).ok) await sleep(100);
  return { bases, path: '/api/collections/items/records', headers: { authorization: `Bearer ${token}` } };
}

async function handWritten() {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'bench/hand-written-postgres-route.mjs'), String(port), freshSchema()], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  while (!(await fetch(`${base}/health`).catch(() => undefined))?.ok) {
    if (child.exitCode !== null) throw new Error('the hand-written route exited during start');
    await sleep(20);
  }
  return { bases: [base], path: '/items', headers: {} };
}

/** Creates/s summed over the bases (the connections split between them), and the worst p99. */
async function load({ bases, path: target, headers }) {
  const body = JSON.stringify({ title: 'new', views: 1 });
  const results = await Promise.all(bases.map((base) => new Promise((resolve, reject) => {
    autocannon({ url: base + target, method: 'POST', connections: Math.ceil(connections / bases.length), duration, headers: { 'content-type': 'application/json', ...headers }, body }, (error, result) => {
      if (error) return reject(error);
      if (result.non2xx > 0 || result.errors > 0) return reject(new Error(`${base}: ${result.non2xx} non-2xx, ${result.errors} errors`));
      resolve(result);
    });
  })));
  return { rps: results.reduce((sum, r) => sum + r.requests.average, 0), p99: Math.max(...results.map((r) => r.latency.p99)), total: results.reduce((sum, r) => sum + r.requests.total, 0) };
}

/** CPU (ms) of the subject's processes and of every PostgreSQL process, and the database's committed transactions. */
async function costs(pids) {
  const postgresPids = execFileSync('pgrep', ['postgres']).toString().trim().split('\n');
  const sum = (list) => list.reduce((total, pid) => total + (cpuMs(pid) || 0), 0);
  const [{ xacts }] = await stats`SELECT xact_commit::float8 AS xacts FROM pg_stat_database WHERE datname = current_database()`;
  return { app: sum(pids), postgres: sum(postgresPids), xacts };
}

const stopAll = () => stopChildren(children);

const subjects = {
  'hand-written route (row + outbox)': handWritten,
  'Causeway ×1': () => deployment(1),
  'Causeway ×2 (one database)': () => deployment(2),
  ...(otherBuild ? { 'other build ×1': () => deployment(1, otherBuild) } : {}),
};
// Counts the database's transactions, so the figures say how many each create costs (the route's are its own).
const stats = postgres(postgresServer, { max: 1, onnotice: () => undefined });
const figures = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));

try {
  console.log(`PostgreSQL single-record creates: ${connections} connections, ${duration} s each, ${rounds} round(s), alternating; node ${process.version}\n`);
  for (let round = 1; round <= rounds; round++) {
    for (const [name, start] of Object.entries(subjects)) {
      const subject = await start();
      const pids = children.map((child) => child.pid);
      const before = await costs(pids);
      const result = await load(subject);
      const after = await costs(pids);
      const per = (key) => (after[key] - before[key]) / result.total;
      figures[name].push(result);
      console.log(`  round ${round}  ${name.padEnd(36)} ${String(Math.round(result.rps)).padStart(6)} creates/s  p99 ${result.p99} ms  per create: server CPU ${(per('app') * 1000).toFixed(0)} µs, PostgreSQL CPU ${(per('postgres') * 1000).toFixed(0)} µs, ${per('xacts').toFixed(2)} transactions`);
      await stopAll();
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const reference = median(figures['hand-written route (row + outbox)'].map((r) => r.rps));
  console.log('\nMedians:');
  for (const [name, results] of Object.entries(figures)) {
    const rps = median(results.map((r) => r.rps));
    console.log(`  ${name.padEnd(36)} ${String(Math.round(rps)).padStart(6)} creates/s  ${((rps / reference) * 100).toFixed(0)}% of the hand-written route`);
  }
} finally {
  await stats.end();
  await cleanUp({ children, dataDirs, schemas, postgresServer });
}
