// Scaling benchmark, in one run: REST GET by id and a filtered, sorted list of 20 on SQLite vs PostgreSQL
// (one instance each), then 1 vs 2 instances on one PostgreSQL; then realtime delivery latency with
// subscribers spread over 2 instances sharing events through Redis, writes made on one of them.
// Needs PostgreSQL on 127.0.0.1:5432 (trust) and Redis on 127.0.0.1:6379; makes and drops its own schema.
// Usage: npm run build && node bench/scaling.mjs [--duration 5] [--subscribers 1000] [--rate 20]
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { cleanUp, now, sleep, startCauseway, stopChildren, subscriberProcess, writeAtRate } from './support.mjs';

const arg = (name, fallback) => (process.argv.includes(`--${name}`) ? Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) : fallback);
const duration = arg('duration', 5);
const subscribers = arg('subscribers', 1000);
const rate = arg('rate', 20);
const realtimeOnly = process.argv.includes('--realtime-only');
const connections = 32;
const records = 10_000;
const postgresServer = process.env.CAUSEWAY_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.CAUSEWAY_BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const children = [];
const dataDirs = [];
const schemas = [];
const tokenSecret = randomBytes(32).toString('hex');
const admin = { email: 'bench@example.com', password: 'bench admin passphrase' };

function databaseUrl(schema) {
  const url = new URL(postgresServer);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** A fresh PostgreSQL schema for one part of the run; dropped at the end. */
function freshSchema() {
  const schema = `cw_bench_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  return databaseUrl(schema);
}

async function startInstance(env) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-scale-'));
  dataDirs.push(dataDir);
  const defaults = { CAUSEWAY_TOKEN_SECRET: tokenSecret, CAUSEWAY_AUTH_RATE_LIMIT: '100000', CAUSEWAY_REALTIME_MAX_CONNECTIONS_PER_IP: '100000', CAUSEWAY_BODY_LIMIT: String(16 * 1024 * 1024) };
  const { child, base, port } = await startCauseway({ dataDir, children, env: { ...defaults, ...env } });
  return { child, base, port };
}

const stopAll = () => stopChildren(children);

/** The first admin, a public collection and `records` records; returns the admin token and the ids. */
async function seed(base) {
  const first = await fetch(`${base}/api/admins/first-run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
  const { token } = await first.json();
  const post = async (p, body) => {
    const response = await fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${p}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
  await post('/api/collections', { name: 'items', ...open, fields: [{ name: 'title', type: 'text' }, { name: 'views', type: 'number', integer: true }], indexes: [{ name: 'views', fields: ['views'] }] });
  const ids = [];
  for (let i = 0; i < records; i += 500) {
    const operations = Array.from({ length: 500 }, (_, j) => ({ action: 'create', collection: 'items', data: { title: `Item ${i + j}`, views: (i + j) % 1000 } }));
    const { results } = await post('/api/batch', { operations });
    ids.push(...results.map((r) => r.record.id));
  }
  return { token, ids };
}

/** Throughput against one or more instances at once (the connections split between them); requests/s summed. */
async function load(bases, pathFor, write) {
  const runs = bases.map((base) => new Promise((resolve, reject) => {
    let i = 0;
    autocannon({
      url: base,
      connections: Math.ceil(connections / bases.length),
      duration,
      requests: [{ setupRequest: (request) => ({ ...request, path: pathFor(i++), ...write }) }],
    }, (error, result) => {
      if (error) return reject(error);
      if (result.non2xx > 0 || result.errors > 0) return reject(new Error(`${base}: ${result.non2xx} non-2xx, ${result.errors} errors`));
      resolve(result);
    });
  }));
  const results = await Promise.all(runs);
  return { rps: results.reduce((sum, r) => sum + r.requests.average, 0), p99: Math.max(...results.map((r) => r.latency.p99)) };
}

const byId = (ids) => (i) => `/api/collections/items/records/${ids[(i * 7919) % ids.length]}`;
const create = (token) => [() => '/api/collections/items/records', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ title: 'new', views: 1 }) }];
const list = () => `/api/collections/items/records?filter=${encodeURIComponent('views >= 500')}&sort=-views&limit=20`;
const row = (name, { rps, p99 }, reference) =>
  console.log(`  ${name.padEnd(44)} ${String(Math.round(rps)).padStart(7)} req/s  p99 ${String(p99).padStart(3)} ms${reference ? `  (${Math.round((rps / reference.rps) * 100)}% of ${reference.label})` : ''}`);


try {
  console.log(`Scaling benchmark: ${records} records, ${connections} connections, ${duration} s per measurement; node ${process.version}, ${(await import('node:os')).cpus().length} cores\n`);

  if (!realtimeOnly) await restPart();
  await realtimePart();
} finally {
  await cleanUp({ children, dataDirs, schemas, postgresServer });
}

async function restPart() {
  console.log('REST, one instance:');
  const sqlite = await startInstance({});
  const sqliteSeed = await seed(sqlite.base);
  const sqliteGet = { ...(await load([sqlite.base], byId(sqliteSeed.ids))), label: 'SQLite' };
  row('SQLite      GET by id', sqliteGet);
  const sqliteList = { ...(await load([sqlite.base], list)), label: 'SQLite' };
  row('SQLite      list of 20 (filter + sort)', sqliteList);
  const sqliteCreate = { ...(await load([sqlite.base], ...create(sqliteSeed.token))), label: 'SQLite' };
  row('SQLite      create', sqliteCreate);
  await stopAll();

  const pgUrl = freshSchema();
  const pgOne = await startInstance({ CAUSEWAY_DATABASE_URL: pgUrl });
  const pgSeed = await seed(pgOne.base);
  const pgGet = { ...(await load([pgOne.base], byId(pgSeed.ids))), label: 'PostgreSQL ×1' };
  row('PostgreSQL  GET by id', pgGet, sqliteGet);
  const pgList = { ...(await load([pgOne.base], list)), label: 'PostgreSQL ×1' };
  row('PostgreSQL  list of 20 (filter + sort)', pgList, sqliteList);
  const pgCreate = { ...(await load([pgOne.base], ...create(pgSeed.token))), label: 'PostgreSQL ×1' };
  row('PostgreSQL  create', pgCreate, sqliteCreate);

  console.log('\nREST, two instances on one PostgreSQL (events through LISTEN/NOTIFY), connections split between them:');
  const pgTwo = await startInstance({ CAUSEWAY_DATABASE_URL: pgUrl });
  row('PostgreSQL ×2  GET by id', await load([pgOne.base, pgTwo.base], byId(pgSeed.ids)), pgGet);
  row('PostgreSQL ×2  list of 20 (filter + sort)', await load([pgOne.base, pgTwo.base], list), pgList);
  row('PostgreSQL ×2  create', await load([pgOne.base, pgTwo.base], ...create(pgSeed.token)), pgCreate);
  await stopAll();
}

async function realtimePart() {
  console.log(`\nRealtime: ${subscribers} subscribers split over 2 instances (PostgreSQL + Redis), ${rate} writes/s on instance A for ${duration} s:`);
  const rtUrl = freshSchema();
  const a = await startInstance({ CAUSEWAY_DATABASE_URL: rtUrl, CAUSEWAY_REDIS_URL: redisUrl });
  const b = await startInstance({ CAUSEWAY_DATABASE_URL: rtUrl, CAUSEWAY_REDIS_URL: redisUrl });
  const { token } = await (async () => {
    const first = await fetch(`${a.base}/api/admins/first-run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
    const { token } = await first.json();
    await fetch(`${a.base}/api/collections`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'ticks', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'n', type: 'number', integer: true }, { name: 'title', type: 'text' }] }) });
    return { token };
  })();
  // B must know the collection before its clients subscribe to it.
  while (!(await fetch(`${b.base}/api/collections/ticks/records?limit=1`)).ok) await sleep(20);
  const onA = subscriberProcess(children);
  const onB = subscriberProcess(children);
  await Promise.all([onA.ready, onB.ready]);
  await onA.open(`ws://127.0.0.1:${a.port}/api/realtime`, Math.floor(subscribers / 2), 'ticks');
  await onB.open(`ws://127.0.0.1:${b.port}/api/realtime`, subscribers - Math.floor(subscribers / 2), 'ticks');
  const deliveriesA = Math.floor(subscribers / 2) * rate * duration;
  const deliveriesB = (subscribers - Math.floor(subscribers / 2)) * rate * duration;
  const allA = onA.expect(deliveriesA);
  const allB = onB.expect(deliveriesB);
  const { sent } = await writeAtRate({ url: `${a.base}/api/collections/ticks/records`, token, perSecond: rate, seconds: duration });
  const complete = await Promise.race([Promise.all([allA, allB]).then(() => true), sleep(30_000).then(() => false)]);
  const from = [...sent];
  const [latA, latB] = await Promise.all([onA.latencies(from), onB.latencies(from)]);
  const fmt = (ms) => `${ms.toFixed(1)} ms`;
  console.log(`  subscribers on A (the writer's instance): ${latA.received} of ${deliveriesA} deliveries, latency from write sent p50 ${fmt(latA.p50)}, p99 ${fmt(latA.p99)}, max ${fmt(latA.max)}`);
  console.log(`  subscribers on B (events through Redis):   ${latB.received} of ${deliveriesB} deliveries, latency from write sent p50 ${fmt(latB.p50)}, p99 ${fmt(latB.p99)}, max ${fmt(latB.max)}`);
  console.log(`  all delivered: ${complete ? 'yes' : 'NO'}`);
  onA.close();
  onB.close();
}
