// What keeping live queries up to date costs the server per write, apart from HTTP and from fan-out to sockets
// (issue 20): the core runs in this process, writes go straight to the records service, and subscribers are
// in-process objects that only count what they get. Three runs of the same writes, one at a time:
//   0. nobody watching: the write itself;
//   B. L live queries with distinct filters (`owner = "o<k>"`, sort -n, limit 10), each write for a random owner;
//   C. S live queries sharing P shapes (`owner = "s<k mod P>"`), each write for a random shape (S/P subscribers).
// Prints CPU per write (user + system of this process) and the part above run 0, and write → last diff latency.
// Usage: npm run build && node bench/live-query-evaluation.mjs [--writes 1000] [--live 1000] [--shared 10000]
//   [--shapes 100] [--server path/to/packages/server/dist] (another build, to compare with it)
//   (CAUSEWAY_DATABASE_URL=postgres://… runs it on PostgreSQL instead of a SQLite file.)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './support.mjs';

const arg = (name, fallback) => (process.argv.includes(`--${name}`) ? Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) : fallback);
const writes = arg('writes', 1000);
const live = arg('live', 1000);
const shared = arg('shared', 10_000);
const shapes = arg('shapes', 100);
const serverDist = process.argv.includes('--server') ? path.resolve(process.argv[process.argv.indexOf('--server') + 1]) : path.join(root, 'packages/server/dist');
const { createServer, loadConfig } = await import(pathToFileURL(path.join(serverDist, 'index.js')).href);
const { systemCaller } = await import(pathToFileURL(path.join(serverDist, '../../core/dist/index.js')).href);

const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-live-eval-'));
const config = loadConfig({ dataDir, port: 0, logLevel: 'silent', sqliteSynchronous: 'normal', ...(process.env.CAUSEWAY_DATABASE_URL ? { databaseUrl: process.env.CAUSEWAY_DATABASE_URL } : {}) }, {});
const server = await createServer({ config });
await server.collections.create({ name: 'items', fields: [{ name: 'n', type: 'number' }, { name: 'owner', type: 'text' }], listRule: '', viewRule: '' });

const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
let lastDiffAt = 0;
let diffs = 0;
const subscriber = { caller: { kind: 'anonymous' }, deliver: (message) => { if (message.type === 'diff') { diffs++; lastDiffAt = performance.now(); } }, ended: () => undefined };

async function run(label, owner) {
  let n = 0;
  // Warm-up, so the first compilations are not counted.
  for (let i = 0; i < 200; i++) await server.records.create(systemCaller, 'items', { n: n++, owner: owner() });
  await server.hub.sync();
  diffs = 0;
  const latencies = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < writes; i++) {
    const started = performance.now();
    const before = diffs;
    await server.records.create(systemCaller, 'items', { n: n++, owner: owner() });
    await server.hub.sync();
    if (diffs > before) latencies.push(lastDiffAt - started);
  }
  const used = process.cpuUsage(cpu);
  const perWrite = (used.user + used.system) / 1000 / writes;
  latencies.sort((a, b) => a - b);
  return { label, perWrite, diffs, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

const subscribeAll = async (count, filter) => {
  const subscriptions = [];
  for (let k = 0; k < count; k++) subscriptions.push(await server.hub.subscribe(subscriber, `q${k}`, { kind: 'query', collection: 'items', filter: filter(k), sort: '-n', limit: 10 }));
  return subscriptions;
};

const results = [];
results.push(await run('0. no live queries', () => 'nobody'));
let subscriptions = await subscribeAll(live, (k) => `owner = "o${k}"`);
results.push(await run(`B. ${live} live queries, distinct filters`, () => `o${Math.floor(Math.random() * live)}`));
for (const subscription of subscriptions) server.hub.unsubscribe(subscription);
subscriptions = await subscribeAll(shared, (k) => `owner = "s${k % shapes}"`);
results.push(await run(`C. ${shared} live queries, ${shapes} shapes`, () => `s${Math.floor(Math.random() * shapes)}`));
for (const subscription of subscriptions) server.hub.unsubscribe(subscription);
// Run 0 again, the process now warm: the lower of the two is what a write costs by itself.
const again = await run('0. no live queries', () => 'nobody');
if (again.perWrite < results[0].perWrite) results[0] = again;

console.log(`Live-query evaluation per write, in process (no HTTP, no sockets); node ${process.version}; ${process.env.CAUSEWAY_DATABASE_URL ? 'PostgreSQL' : 'SQLite, synchronous=normal'}; ${serverDist}`);
for (const r of results) {
  const extra = r.label.startsWith('0') ? '' : `, ${(r.perWrite - results[0].perWrite).toFixed(2)} ms above no live queries; ${r.diffs} diffs; write → last diff p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`;
  console.log(`${r.label}: CPU ${r.perWrite.toFixed(2)} ms per write${extra}`);
}
await server.close();
