// What durable commits cost: creates, one per request and in batches, with SQLite's synchronous = FULL (the
// default: every commit syncs the WAL) against NORMAL (syncs at checkpoints). Run after `npm run build`:
//   node bench/durability.mjs [--duration 5] [--dir /path/on/the/disk/to/measure]
// The data directory must be on the disk the figures are for: on tmpfs an fsync costs nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startCauseway } from './support.mjs';

const { values: options } = parseArgs({ options: { duration: { type: 'string', default: '5' }, dir: { type: 'string', default: tmpdir() } } });
const duration = Number(options.duration);
const children = [];


async function stop(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function load(url, options) {
  return new Promise((resolve, reject) => {
    autocannon({ url, duration, method: 'POST', headers: { 'content-type': 'application/json' }, ...options }, (error, result) => {
      if (error) return reject(error);
      if (result.non2xx > 0 || result.errors > 0) return reject(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`));
      resolve({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 });
    });
  });
}

async function measure(synchronous) {
  const dataDir = mkdtempSync(path.join(options.dir, 'causeway-durability-'));
  try {
    const { child, base } = await startCauseway({ dataDir, children, env: { CAUSEWAY_SQLITE_SYNCHRONOUS: synchronous, CAUSEWAY_AUTH_RATE_LIMIT: '100000', CAUSEWAY_PASSWORD_COST: '10' } });
    const first = await fetch(`${base}/api/admins/first-run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.com', password: 'bench admin passphrase' }) });
    const { token } = await first.json();
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
    await fetch(`${base}/api/collections`, { method: 'POST', headers, body: JSON.stringify({ name: 'posts', ...open, fields: [{ name: 'title', type: 'text' }, { name: 'views', type: 'number' }] }) });
    let next = 0;
    const single = (connections) => load(`${base}/api/collections/posts/records`, { connections, setupClient: (client) => client.setBody(JSON.stringify({ title: `new ${next++}`, views: 1 })) });
    const sequential = await single(1);
    const concurrent = await single(32);
    const perBatch = 100;
    const batched = await load(`${base}/api/batch`, {
      connections: 4,
      headers,
      setupClient: (client) => client.setBody(JSON.stringify({ operations: Array.from({ length: perBatch }, () => ({ action: 'create', collection: 'posts', data: { title: `batched ${next++}`, views: 2 } })) })),
    });
    await stop(child);
    return { sequential, concurrent, batched: { ...batched, records: batched.rps * perBatch } };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

try {
  console.log(`Durable commits: SQLite synchronous FULL vs NORMAL, ${duration} s per scenario, data in ${options.dir}\n`);
  const results = {};
  // Alternate twice, so a noisy neighbour does not favour one mode.
  for (const round of [1, 2]) {
    for (const mode of ['full', 'normal']) {
      const result = await measure(mode);
      results[mode] = results[mode] ?? [];
      results[mode].push(result);
      const r = result;
      console.log(`round ${round} ${mode.padEnd(6)}  create 1 at a time: ${Math.round(r.sequential.rps)} req/s (p50 ${r.sequential.p50} ms)   32 at once: ${Math.round(r.concurrent.rps)} req/s (p99 ${r.concurrent.p99} ms)   batches of 100: ${Math.round(r.batched.records)} records/s (p99 ${r.batched.p99} ms/batch)`);
    }
  }
  const best = (mode, pick) => Math.max(...results[mode].map(pick));
  console.log('\nbest of each, FULL as a share of NORMAL:');
  for (const [name, pick] of [['create, 1 at a time', (r) => r.sequential.rps], ['create, 32 at once', (r) => r.concurrent.rps], ['batches of 100 (records/s)', (r) => r.batched.records]]) {
    const full = best('full', pick);
    const normal = best('normal', pick);
    console.log(`${name.padEnd(28)} FULL ${Math.round(full).toString().padStart(7)}   NORMAL ${Math.round(normal).toString().padStart(7)}   ${((full / normal) * 100).toFixed(0)}%`);
  }
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
}
