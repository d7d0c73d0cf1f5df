// REST benchmark: Causeway against the bare-http ceiling and a hand-written Fastify + better-sqlite3 route,
// on a seeded collection, in one run: reads (get by id, list, expand, count), then writes (create from 32
// concurrent clients, batches of 100, update with If-Match), each alternating between the two servers; then the
// cost of access rules (a signed-in user under an owner rule beside anonymous reads without rules) and sign-in
// latency at the default password cost.
// Usage: npm run build && node bench/rest.mjs [--duration 10] [--rounds 2] [--records 10000]
//   [--synchronous full|normal] [--dir /path/on/the/disk] [--only get,list,expand,count,graphql,rules,signin,create,batch,update]
//   [--baseline /another/checkout]: that checkout's build (its packages/server/dist) runs beside this one in the
//   hand-written comparisons, on a copy of the same data, alternating with the other two: before and after a change
//   in one run.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { cpuMs, startCauseway } from './support.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    records: { type: 'string', default: '10000' },
    synchronous: { type: 'string', default: 'full' },
    dir: { type: 'string', default: tmpdir() },
    only: { type: 'string' },
    baseline: { type: 'string' },
  },
});
const duration = Number(options.duration);
const rounds = Number(options.rounds);
const records = Number(options.records);
const connections = 32;
const wanted = (scenario) => !options.only || options.only.split(',').includes(scenario);
// Both servers commit with the same durability: FULL (the default) syncs the WAL at every commit.
const synchronous = { CAUSEWAY_SQLITE_SYNCHRONOUS: options.synchronous };
const dataDir = mkdtempSync(path.join(options.dir, 'causeway-bench-'));
const children = [];

function start(args, readyPattern) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...synchronous } });
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

function load(url, options = {}, pid) {
  const cpuBefore = pid ? cpuMs(pid) : NaN;
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration, ...options }, (error, result) => {
      if (error) return reject(error);
      if (result.non2xx > 0 || result.errors > 0) return reject(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`));
      const cpuUsPerRequest = pid ? ((cpuMs(pid) - cpuBefore) * 1000) / result.requests.total : NaN;
      // The machine's 1-minute load average as the run ended: figures from a busy machine say so.
      resolve({ rps: result.requests.average, p99: result.latency.p99, cpuUs: cpuUsPerRequest, requests: result.requests.total, load: loadavg()[0] });
    });
  });
}

const adminEmail = 'bench@example.com';
const adminPassword = 'bench admin passphrase';
const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
const ownerRule = 'owner = @request.auth.id';

async function seed(base) {
  const first = await fetch(`${base}/api/admins/first-run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: adminEmail, password: adminPassword }) });
  const { token } = await first.json();
  const post = (p, body) => fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  await post('/api/collections', { name: 'authors', fields: [{ name: 'name', type: 'text', required: true }], ...open });
  await post('/api/collections', {
    name: 'posts',
    ...open,
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
  // The same rows again, owned by two users and readable only by their owner.
  const owners = [];
  for (const email of ['reader@example.com', 'other@example.com']) {
    const response = await fetch(`${base}/api/collections/users/auth/sign-up`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'bench user passphrase' }) });
    owners.push((await response.json()).record.id);
  }
  await post('/api/collections', {
    name: 'notes',
    listRule: ownerRule, viewRule: ownerRule, createRule: ownerRule, updateRule: ownerRule, deleteRule: ownerRule,
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'views', type: 'number', integer: true },
      { name: 'owner', type: 'relation', collection: 'users', required: true },
    ],
    indexes: [{ fields: ['owner', 'views'] }],
  });
  for (let offset = 0; offset < Math.min(records, 10_000); offset += 1000) {
    const operations = Array.from({ length: 1000 }, (_, j) => {
      const i = offset + j;
      return { action: 'create', collection: 'notes', data: { id: `note${i}`, title: `Note ${i}`, views: (i * 7919) % records, owner: owners[i % 2] } };
    });
    const response = await post('/api/batch', { operations });
    if (!response.ok) throw new Error(`seeding failed: ${await response.text()}`);
  }
}

async function signIn(base, email, password, realm = 'collections/users') {
  const response = await fetch(`${base}/api/${realm}/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!response.ok) throw new Error(`sign-in failed: ${await response.text()}`);
  return (await response.json()).token;
}

const row = (name, { rps, p99, cpuUs, load }, reference) => {
  const cpu = Number.isNaN(cpuUs) || cpuUs === undefined ? '' : `   ${cpuUs.toFixed(0).padStart(4)} µs CPU/req`;
  const ratio = reference ? `   ${((rps / reference.rps) * 100).toFixed(0).padStart(4)}% of hand-written req/s, ${((reference.cpuUs / cpuUs) * 100).toFixed(0)}% by CPU/req` : '';
  console.log(`${name.padEnd(44)} ${Math.round(rps).toString().padStart(7)} req/s   p99 ${String(p99).padStart(3)} ms${cpu}${ratio}${load === undefined ? '' : `   (load ${load.toFixed(1)})`}`);
};


// The bench signs in many times; the default limit (10 a minute) is for people, not for this.
const startServer = (options = {}) => startCauseway({ dataDir, children, env: { CAUSEWAY_AUTH_RATE_LIMIT: '100000', ...synchronous }, ...options });
// With a baseline, each Causeway build serves its own copy of the seeded data (the hand-written route keeps the
// original): neither then reads a file another process writes to, which costs SQLite its page cache.
const copyDir = (name) => (options.baseline ? mkdtempSync(path.join(options.dir, `causeway-bench-${name}-`)) : undefined);
const baselineDir = copyDir('baseline');
const currentDir = copyDir('current');

try {
  console.log(`REST benchmark: ${records} records, ${connections} connections, ${duration} s per scenario, ${rounds} rounds, synchronous=${options.synchronous}, node ${process.version}\n`);
  let causeway = await startServer();
  const base = `http://127.0.0.1:${causeway.port}`;
  const seedStart = performance.now();
  await seed(base);
  console.log(`seeded ${records} posts + 100 authors through POST /api/batch in ${Math.round(performance.now() - seedStart)} ms`);
  await stop(causeway.child);
  // A second start on the seeded data is the one that counts: an existing data file, ten thousand records.
  causeway = await startServer();
  console.log(`server start to first served request (${records} records): ${causeway.startMs.toFixed(0)} ms\n`);
  await stop(causeway.child);

  const bare = await start([path.join(root, 'bench/servers/bare-http.mjs')], /(\d+)\n/);
  row('bare node:http, fixed JSON', await load(`http://127.0.0.1:${bare.port}/`));
  await stop(bare.child);

  // Hand-written and Causeway run side by side; each scenario alternates between them (see `alternate`).
  for (const copy of [baselineDir, currentDir]) if (copy) cpSync(dataDir, copy, { recursive: true });
  const hand = await start([path.join(root, 'bench/servers/hand-written.mjs'), path.join(dataDir, 'data.db')], /(\d+)\n/);
  causeway = await startServer(currentDir ? { dataDir: currentDir } : {});
  const baseline = baselineDir ? await startServer({ dataDir: baselineDir, script: path.join(options.baseline, 'packages/server/dist/cli/main.js') }) : undefined;
  const handBase = `http://127.0.0.1:${hand.port}`;
  const causewayBase = `http://127.0.0.1:${causeway.port}`;
  const api = `${causewayBase}/api/collections/posts/records`;
  const list = `${api}?filter=${encodeURIComponent('views >= 5000')}&sort=-views&limit=20`;
  const best = (a, b) => (a.rps >= b.rps ? a : b);
  /** Runs loads alternately, `rounds` times, keeping the better run of each: drift on a shared machine then decides none. */
  const alternate = async (...loads) => {
    const bests = loads.map(() => undefined);
    for (let round = 0; round < rounds; round++) {
      for (const [i, run] of loads.entries()) {
        const result = await run();
        bests[i] = bests[i] ? best(bests[i], result) : result;
      }
    }
    return bests;
  };
  /** The hand-written route, this build and (with --baseline) the baseline build, alternating; rows with the ratios. */
  const compare = async (label, handLoad, causewayLoad, baselineLoad, scale = (r) => r) => {
    const [handResult, causewayResult, baselineResult] = (await alternate(handLoad, causewayLoad, ...(baselineLoad && baseline ? [baselineLoad] : []))).map((r) => r && scale(r));
    row(`hand-written: ${label}`, handResult);
    if (baselineResult) row(`causeway (baseline): ${label}`, baselineResult, handResult);
    row(`causeway: ${label}`, causewayResult, handResult);
    return [handResult, causewayResult];
  };
  const pair = async (label, handUrl, causewayUrl, handOptions = {}, causewayOptions = handOptions) => {
    const baselineUrl = baseline && causewayUrl.replace(causewayBase, `http://127.0.0.1:${baseline.port}`);
    return compare(
      label,
      () => load(handUrl, handOptions(), hand.child.pid),
      () => load(causewayUrl, causewayOptions(), causeway.child.pid),
      baseline && (() => load(baselineUrl, causewayOptions(), baseline.child.pid)),
    );
  };
  const none = () => ({});
  if (wanted('get')) await pair('get by id', `${handBase}/posts/post1234`, `${api}/post1234`, none);
  if (wanted('list')) await pair('list 20, filter + sort', `${handBase}/posts?min=5000`, list, none);
  if (wanted('expand')) await pair('list 20, expand author', `${handBase}/posts?min=5000&expand=author`, `${list}&expand=author`, none);
  // A count with an indexed range filter, and the first record of the page a count comes with.
  if (wanted('count')) await pair('count, indexed filter', `${handBase}/posts/count?min=5000`, `${api}?filter=${encodeURIComponent('views >= 5000')}&sort=-views&limit=1&count=true`, none);

  // Writes: every request its own record (create) or its own version check (update), 32 clients at once.
  const json = { 'content-type': 'application/json' };
  let next = 0;
  const post = () => ({ method: 'POST', headers: json, setupClient: (client) => client.setBody(JSON.stringify({ title: `new ${next++}`, views: 1 })) });
  if (wanted('create')) await pair('create, 32 clients, 1 record each', `${handBase}/posts`, api, post);
  if (wanted('batch')) {
    const perBatch = 100;
    const batchBody = () => JSON.stringify({ operations: Array.from({ length: perBatch }, () => ({ action: 'create', collection: 'posts', data: { title: `batched ${next++}`, views: 2 } })) });
    const batch = () => ({ method: 'POST', connections: 4, headers: json, setupClient: (client) => client.setBody(batchBody()) });
    const perRecord = (r) => ({ ...r, rps: r.rps * perBatch, cpuUs: r.cpuUs / perBatch });
    await compare(
      'batches of 100 (records/s)',
      () => load(`${handBase}/batch`, batch(), hand.child.pid),
      () => load(`${causewayBase}/api/batch`, batch(), causeway.child.pid),
      baseline && (() => load(`http://127.0.0.1:${baseline.port}/api/batch`, batch(), baseline.child.pid)),
      perRecord,
    );
  }
  if (wanted('update')) {
    // Each request updates a record no other request holds at the time, with the ETag its last update returned.
    const updating = (base, prefix, first) => async () => {
      // Four per client: a request that timed out never gives its record back.
      const ids = Array.from({ length: 4 * connections }, (_, i) => `post${first + i}`);
      const tags = new Map();
      for (const id of ids) tags.set(id, (await fetch(`${base}/${id}`)).headers.get('etag'));
      const free = [...ids];
      return {
        method: 'PATCH',
        headers: json,
        requests: [{
          setupRequest: (request) => {
            const id = free.shift();
            return { ...request, path: `${prefix}/${id}`, headers: { ...json, 'if-match': tags.get(id) }, body: JSON.stringify({ views: next++ % records }) };
          },
          onResponse: (status, body, _context, headers) => {
            const { id } = JSON.parse(body);
            tags.set(id, headers.etag);
            free.push(id);
          },
        }],
      };
    };
    const handOptions = updating(`${handBase}/posts`, '/posts', 2000);
    const causewayOptions = updating(api, '/api/collections/posts/records', 3000);
    const baselineBase = baseline && `http://127.0.0.1:${baseline.port}`;
    const baselineOptions = baseline && updating(`${baselineBase}/api/collections/posts/records`, '/api/collections/posts/records', 3000);
    await compare(
      'update with If-Match',
      async () => load(handBase, await handOptions(), hand.child.pid),
      async () => load(causewayBase, await causewayOptions(), causeway.child.pid),
      baseline && (async () => load(baselineBase, await baselineOptions(), baseline.child.pid)),
    );
  }
  await stop(hand.child);
  if (baseline) await stop(baseline.child);

  // GraphQL: the same list of 20 with the author, beside REST's expand, in one run.
  if (wanted('graphql')) {
    const graphqlQuery = JSON.stringify({
      query: '{ posts(filter: "views >= 5000", orderBy: [{ field: views, direction: DESC }], first: 20) { edges { node { id created updated title views published author { id created updated name } } } } }',
    });
    const graphqlOptions = { method: 'POST', headers: json, body: graphqlQuery };
    const [restResult, graphqlResult] = await alternate(
      () => load(`${list}&expand=author`, {}, causeway.child.pid),
      () => load(`${causewayBase}/api/graphql`, graphqlOptions, causeway.child.pid),
    );
    row('REST: list 20, expand author', restResult);
    row('GraphQL: list 20 with author', graphqlResult);
    console.log(`${''.padEnd(40)} GraphQL at ${((graphqlResult.rps / restResult.rps) * 100).toFixed(0)}% of REST's throughput (target ≥ 70%), ${((restResult.cpuUs / graphqlResult.cpuUs) * 100).toFixed(0)}% by CPU/req`);
  }

  // Rules: the same reads as a signed-in owner under `owner = @request.auth.id`, against anonymous reads of
  // the open `posts`; includes verifying the token and loading the account on every request.
  if (wanted('rules')) {
    const readerToken = await signIn(causewayBase, 'reader@example.com', 'bench user passphrase');
    const signedIn = { headers: { authorization: `Bearer ${readerToken}` } };
    const notes = `${causewayBase}/api/collections/notes/records`;
    const compareRules = async (label, openUrl, ruledUrl) => {
      const [openResult, ruledResult] = await alternate(() => load(openUrl, {}, causeway.child.pid), () => load(ruledUrl, signedIn, causeway.child.pid));
      row(`no rules, anonymous: ${label}`, openResult);
      const cost = (1 - ruledResult.rps / openResult.rps) * 100;
      row(`owner rule, signed in: ${label}`, ruledResult);
      console.log(`${''.padEnd(40)} rules cost ${cost.toFixed(0)}% of throughput, ${(ruledResult.cpuUs - openResult.cpuUs).toFixed(0)} µs CPU/req`);
    };
    await compareRules('get by id', `${api}/post1234`, `${notes}/note1234`);
    await compareRules('list 20, filter + sort', list, `${notes}?filter=${encodeURIComponent('views >= 5000')}&sort=-views&limit=20`);
  }

  // Sign-in at the default password cost (scrypt N=2^15, r=8, p=3), one at a time and eight at once.
  if (wanted('signin')) {
    const timings = [];
    for (let i = 0; i < 20; i++) {
      const startedAt = performance.now();
      await signIn(causewayBase, 'reader@example.com', 'bench user passphrase');
      timings.push(performance.now() - startedAt);
    }
    timings.sort((a, b) => a - b);
    const concurrentStart = performance.now();
    await Promise.all(Array.from({ length: 8 }, () => signIn(causewayBase, 'reader@example.com', 'bench user passphrase')));
    const concurrentMs = performance.now() - concurrentStart;
    console.log(`${'causeway: sign-in, one at a time'.padEnd(40)} p50 ${timings[10].toFixed(0)} ms, p95 ${timings[18].toFixed(0)} ms; 8 at once: ${concurrentMs.toFixed(0)} ms (${((8 * 1000) / concurrentMs).toFixed(1)} sign-ins/s)\n`);
  }
  await stop(causeway.child);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  for (const copy of [baselineDir, currentDir]) if (copy) rmSync(copy, { recursive: true, force: true });
}
