// REST benchmark: Causeway against the bare-http ceiling and a hand-written Fastify + better-sqlite3 route,
// on a 10,000-record collection, in one run. Usage: npm run build && node bench/rest.mjs [--duration 10]
import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const duration = Number(process.argv[process.argv.indexOf('--duration') + 1]) || 10;
const connections = 32;
const records = 10_000;
const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-bench-'));
const children = [];

function start(args, readyPattern) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = readyPattern.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${output}`)));
  });
}

async function stop(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

// CPU time a process has used, in ms (Linux /proc): throughput on a shared 2-core machine swings with the
// neighbours, but CPU time per request barely does, so it gives the steadier ratio.
const ticksPerSecond = 100;
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return NaN;
  }
}

function load(url, options = {}, pid) {
  const cpuBefore = pid ? cpuMs(pid) : NaN;
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration, ...options }, (error, result) => {
      if (error) return reject(error);
      if (result.non2xx > 0 || result.errors > 0) return reject(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`));
      const cpuUsPerRequest = pid ? ((cpuMs(pid) - cpuBefore) * 1000) / result.requests.total : NaN;
      resolve({ rps: result.requests.average, p99: result.latency.p99, cpuUs: cpuUsPerRequest });
    });
  });
}

async function seed(base) {
  const post = (p, body) => fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await post('/api/collections', { name: 'authors', fields: [{ name: 'name', type: 'text', required: true }] });
  await post('/api/collections', {
    name: 'posts',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'views', type: 'number', integer: true },
      { name: 'published', type: 'bool' },
      { name: 'author', type: 'relation', collection: 'authors' },
    ],
    indexes: [{ fields: ['views'] }],
  });
  const authors = Array.from({ length: 100 }, (_, i) => ({ action: 'create', collection: 'authors', data: { id: `author${i}`, name: `Author ${i}` } }));
  await post('/api/batch', { operations: authors });
  for (let offset = 0; offset < records; offset += 1000) {
    const operations = Array.from({ length: 1000 }, (_, j) => {
      const i = offset + j;
      return { action: 'create', collection: 'posts', data: { id: `post${i}`, title: `Post ${i}`, views: (i * 7919) % records, published: i % 2 === 0, author: `author${i % 100}` } };
    });
    const response = await post('/api/batch', { operations });
    if (!response.ok) throw new Error(`seeding failed: ${await response.text()}`);
  }
}

const row = (name, { rps, p99, cpuUs }, reference) => {
  const cpu = Number.isNaN(cpuUs) || cpuUs === undefined ? '' : `   ${cpuUs.toFixed(0).padStart(4)} µs CPU/req`;
  const ratio = reference ? `   ${((rps / reference.rps) * 100).toFixed(0).padStart(4)}% of hand-written req/s, ${((reference.cpuUs / cpuUs) * 100).toFixed(0)}% by CPU/req` : '';
  console.log(`${name.padEnd(40)} ${Math.round(rps).toString().padStart(7)} req/s   p99 ${String(p99).padStart(3)} ms${cpu}${ratio}`);
};

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startCauseway() {
  const port = await freePort();
  const startedAt = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'packages/server/dist/cli/main.js'), 'serve', '--port', String(port), '--log-level', 'warn', '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  for (;;) {
    const response = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
    if (response?.ok) break;
    if (child.exitCode !== null) throw new Error('causeway exited during start');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { child, port, startMs: performance.now() - startedAt };
}

try {
  console.log(`REST benchmark: ${records} records, ${connections} connections, ${duration} s per scenario, node ${process.version}\n`);
  let causeway = await startCauseway();
  const base = `http://127.0.0.1:${causeway.port}`;
  const seedStart = performance.now();
  await seed(base);
  console.log(`seeded ${records} posts + 100 authors through POST /api/batch in ${Math.round(performance.now() - seedStart)} ms`);
  await stop(causeway.child);
  // A second start on the seeded data is the one that counts: an existing data file, ten thousand records.
  causeway = await startCauseway();
  console.log(`server start to first served request: ${causeway.startMs.toFixed(0)} ms\n`);
  await stop(causeway.child);

  const bare = await start([path.join(root, 'bench/servers/bare-http.mjs')], /(\d+)\n/);
  row('bare node:http, fixed JSON', await load(`http://127.0.0.1:${bare.port}/`));
  await stop(bare.child);

  // Hand-written and Causeway run side by side and each scenario alternates between them twice, keeping
  // the better run of each: on a shared 2-core machine this keeps drift from deciding the ratio.
  const hand = await start([path.join(root, 'bench/servers/hand-written.mjs'), path.join(dataDir, 'data.db')], /(\d+)\n/);
  causeway = await startCauseway();
  const handBase = `http://127.0.0.1:${hand.port}`;
  const api = `http://127.0.0.1:${causeway.port}/api/collections/posts/records`;
  const list = `${api}?filter=${encodeURIComponent('views >= 5000')}&sort=-views&limit=20`;
  const best = (a, b) => (a.rps >= b.rps ? a : b);
  const pair = async (label, handUrl, causewayUrl) => {
    let handResult;
    let causewayResult;
    for (let round = 0; round < 2; round++) {
      const h = await load(handUrl, {}, hand.child.pid);
      const c = await load(causewayUrl, {}, causeway.child.pid);
      handResult = handResult ? best(handResult, h) : h;
      causewayResult = causewayResult ? best(causewayResult, c) : c;
    }
    row(`hand-written: ${label}`, handResult);
    row(`causeway: ${label}`, causewayResult, handResult);
  };
  await pair('get by id', `${handBase}/posts/post1234`, `${api}/post1234`);
  await pair('list 20, filter + sort', `${handBase}/posts?min=5000`, list);
  await pair('list 20, expand author', `${handBase}/posts?min=5000&expand=author`, `${list}&expand=author`);
  await stop(hand.child);

  let next = 0;
  const single = await load(api, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    setupClient: (client) => client.setBody(JSON.stringify({ title: `new ${next++}`, views: 1 })),
  });
  row('causeway: create, one record per request', single);
  const perBatch = 100;
  const batchBody = () => JSON.stringify({ operations: Array.from({ length: perBatch }, () => ({ action: 'create', collection: 'posts', data: { title: `batched ${next++}`, views: 2 } })) });
  const batched = await load(`http://127.0.0.1:${causeway.port}/api/batch`, {
    method: 'POST',
    connections: 4,
    headers: { 'content-type': 'application/json' },
    setupClient: (client) => client.setBody(batchBody()),
  });
  console.log(`${'causeway: create, batches of 100'.padEnd(44)} ${Math.round(batched.rps * perBatch).toString().padStart(8)} records/s   p99 ${batched.p99} ms per batch`);
  await stop(causeway.child);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}
