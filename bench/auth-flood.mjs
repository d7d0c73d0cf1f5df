// Credential floods: 200 concurrent sign-ins and password changes at the default password cost, while probes
// measure GET /api/health and a GET by id (anonymous, and signed in); then the cost of the session check on a GET
// by id (signed in vs anonymous, no flood). Run twice: with the per-address limits out of the way (every hash is
// computed: the worst case for the server), and with the default limits, the flood coming from one address.
// Usage: npm run build && node bench/auth-flood.mjs [--flood 200] [--duration 5] [--cost 15]
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { cpuMs, startCauseway } from './support.mjs';

const arg = (name, fallback) => (process.argv.includes(`--${name}`) ? Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) : fallback);
const flood = arg('flood', 200);
const duration = arg('duration', 5);
const cost = arg('cost', 15);
const rounds = arg('rounds', 3);
const only = process.argv.includes('--session-only');
const accounts = 8;
const children = [];
const dirs = [];
// Whatever happens, no server is left running (a server with hashes queued takes long to stop on SIGTERM).
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});


async function startServer(env) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-bench-auth-'));
  dirs.push(dataDir);
  return startCauseway({ dataDir, children, env: { CAUSEWAY_PASSWORD_COST: String(cost), ...env } });
}

async function stop(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** A POST over node:http: flood requests may wait minutes for a hash on a busy machine, past fetch's timeouts. */
function post(base, pathname, body, token) {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const outgoing = httpRequest(new URL(pathname, base), { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(token ? { authorization: `Bearer ${token}` } : {}) } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    outgoing.on('error', reject);
    outgoing.end(text);
  });
}

const json = (base, method, pathname, body, token) =>
  fetch(base + pathname, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });

async function seed(base) {
  const admin = await (await json(base, 'POST', '/api/admins/first-run', { email: 'bench@example.com', password: 'bench admin passphrase' })).json();
  const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
  await json(base, 'POST', '/api/collections', { name: 'posts', ...open, fields: [{ name: 'title', type: 'text' }] }, admin.token);
  const operations = Array.from({ length: 1000 }, (_, i) => ({ action: 'create', collection: 'posts', data: { id: `post${i}`, title: `Post ${i}` } }));
  await json(base, 'POST', '/api/batch', { operations }, admin.token);
  const users = [];
  for (let i = 0; i < accounts; i++) {
    const email = `flood${i}@example.com`;
    const password = `flood passphrase ${i}`;
    const signedUp = await (await json(base, 'POST', '/api/collections/users/auth/sign-up', { email, password })).json();
    users.push({ email, password, token: signedUp.token });
  }
  return users;
}

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Requests `url` one after another on `lanes` lanes until `until()` is true; returns latencies in ms. */
async function probe(url, lanes, until, headers = {}) {
  const latencies = [];
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (!until()) {
        const started = performance.now();
        const response = await fetch(url, { headers });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`${url}: ${response.status}`);
        latencies.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

const describe = (label, latencies) =>
  console.log(`  ${label.padEnd(34)} ${String(latencies.length).padStart(6)} requests   p50 ${percentile(latencies, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(latencies, 99).toFixed(1).padStart(6)} ms   max ${latencies.at(-1).toFixed(1).padStart(6)} ms`);

async function floodRun(label, env) {
  const { child, base } = await startServer(env);
  try {
    const users = await seed(base);
    // Quiet baseline, then the same probes under the flood.
    let quietEnd = performance.now() + 2000;
    const quiet = await Promise.all([probe(`${base}/api/health`, 2, () => performance.now() > quietEnd), probe(`${base}/api/collections/posts/records/post123`, 2, () => performance.now() > quietEnd)]);
    console.log(`\n${label}`);
    describe('quiet: GET /api/health', quiet[0]);
    describe('quiet: GET by id', quiet[1]);
    let done = false;
    const started = performance.now();
    const statuses = new Map();
    const floodRequests = Array.from({ length: flood }, async (_, i) => {
      const user = users[i % users.length];
      // Half sign-ins, half password changes (to the same password: a verify and a new hash each).
      const status = i % 2 === 0
        ? await post(base, '/api/collections/users/auth/sign-in', { email: user.email, password: user.password })
        : await post(base, '/api/collections/users/auth/change-password', { currentPassword: user.password, newPassword: user.password }, user.token);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
    const settled = Promise.all(floodRequests).then(() => (done = true));
    const [health, byId, byIdSigned] = await Promise.all([
      probe(`${base}/api/health`, 2, () => done),
      probe(`${base}/api/collections/posts/records/post123`, 2, () => done),
      probe(`${base}/api/collections/posts/records/post456`, 1, () => done, { authorization: `Bearer ${users[0].token}` }).catch(() => []),
    ]);
    await settled;
    const seconds = (performance.now() - started) / 1000;
    console.log(`  flood: ${flood} concurrent (half sign-in, half change-password) answered in ${seconds.toFixed(1)} s: ${[...statuses].map(([s, n]) => `${n}× ${s}`).join(', ')}`);
    describe('flood: GET /api/health', health);
    describe('flood: GET by id, anonymous', byId);
    if (byIdSigned.length > 0) describe('flood: GET by id, signed in', byIdSigned);
    quietEnd = 0;
    return users;
  } finally {
    await stop(child);
  }
}

function load(url, headers, pid) {
  const before = cpuMs(pid);
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: 32, duration, headers }, (error, result) => {
      if (error) return reject(error);
      if (result.non2xx > 0 || result.errors > 0) return reject(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`));
      resolve({ rps: result.requests.average, p99: result.latency.p99, cpuUs: ((cpuMs(pid) - before) * 1000) / result.requests.total });
    });
  });
}

async function sessionCost() {
  const { child, base } = await startServer({ CAUSEWAY_AUTH_RATE_LIMIT: '100000' });
  try {
    const users = await seed(base);
    const url = `${base}/api/collections/posts/records/post123`;
    const signed = { authorization: `Bearer ${users[0].token}` };
    // Alternate twice and keep the better of each: drift on a shared machine then decides neither.
    let anonymous;
    let signedIn;
    const better = (a, b) => (!a || b.rps > a.rps ? { ...b, cpuUs: Math.min(b.cpuUs, a?.cpuUs ?? Infinity) } : { ...a, cpuUs: Math.min(a.cpuUs, b.cpuUs) });
    for (let round = 0; round < rounds; round++) {
      anonymous = better(anonymous, await load(url, {}, child.pid));
      signedIn = better(signedIn, await load(url, signed, child.pid));
    }
    const line = (label, r) => `  ${label.padEnd(34)} ${Math.round(r.rps).toString().padStart(7)} req/s   p99 ${String(r.p99).padStart(3)} ms   ${r.cpuUs.toFixed(0).padStart(4)} µs CPU/req`;
    console.log(`\nsession check on GET by id (32 connections, ${duration} s, best of ${rounds} alternating runs)`);
    console.log(line('anonymous', anonymous));
    console.log(`${line('signed in (token → session check)', signedIn)}   cost ${((1 - signedIn.rps / anonymous.rps) * 100).toFixed(1)}% of req/s, ${((signedIn.cpuUs / anonymous.cpuUs - 1) * 100).toFixed(1)}% CPU/req`);
  } finally {
    await stop(child);
  }
}

try {
  console.log(`credential flood benchmark: ${flood} concurrent requests, password cost ${cost} (15 is the default), node ${process.version}, load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
  if (!only) {
    await floodRun('limits out of the way (CAUSEWAY_AUTH_RATE_LIMIT=100000): every hash is computed', { CAUSEWAY_AUTH_RATE_LIMIT: '100000' });
    await floodRun('default limits, the flood from one address', {});
  }
  await sessionCost();
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
