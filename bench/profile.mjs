// Where a request's CPU goes: runs one REST scenario against `causeway serve` under `node --cpu-prof` and prints
// the functions with the most self time. Run after `npm run build`:
//   node bench/profile.mjs [--scenario get|list|count|create|batch|update] [--duration 10] [--top 25] [--keep /dir]
//   [--server /other/checkout/packages/server/dist/cli/main.js] (profile another build, e.g. before a change)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startCauseway } from './support.mjs';

const { values: options } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'get' },
    duration: { type: 'string', default: '10' },
    top: { type: 'string', default: '25' },
    synchronous: { type: 'string', default: 'full' },
    keep: { type: 'string' },
    server: { type: 'string' },
  },
});
const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-profile-'));
const profileDir = options.keep ?? mkdtempSync(path.join(tmpdir(), 'causeway-cpuprofile-'));
const children = [];
const env = { CAUSEWAY_SQLITE_SYNCHRONOUS: options.synchronous, ...(process.env.CAUSEWAY_DATABASE_URL ? { CAUSEWAY_DATABASE_URL: process.env.CAUSEWAY_DATABASE_URL } : {}) };
const json = { 'content-type': 'application/json' };

async function seed(base) {
  const { token } = await (await fetch(`${base}/api/admins/first-run`, { method: 'POST', headers: json, body: JSON.stringify({ email: 'profile@example.com', password: 'profile admin passphrase' }) })).json();
  const post = (p, body) => fetch(base + p, { method: 'POST', headers: { ...json, authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
  await post('/api/collections', { name: 'posts', ...open, fields: [{ name: 'title', type: 'text', required: true }, { name: 'views', type: 'number', integer: true }], indexes: [{ fields: ['views'] }] });
  for (let offset = 0; offset < 10_000; offset += 1000) {
    await post('/api/batch', { operations: Array.from({ length: 1000 }, (_, j) => ({ action: 'create', collection: 'posts', data: { id: `post${offset + j}`, title: `Post ${offset + j}`, views: ((offset + j) * 7919) % 10_000 } })) });
  }
}

const stop = (child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')));

try {
  const seeding = await startCauseway({ dataDir, children, env });
  await seed(seeding.base);
  await stop(seeding.child);
  const { child, base } = await startCauseway({ dataDir, children, env, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir], ...(options.server ? { script: options.server } : {}) });
  const api = `${base}/api/collections/posts/records`;
  let next = 0;
  const scenarios = {
    get: { url: `${api}/post1234` },
    list: { url: `${api}?filter=${encodeURIComponent('views >= 5000')}&sort=-views&limit=20` },
    count: { url: `${api}?filter=${encodeURIComponent('views >= 5000')}&sort=-views&limit=1&count=true` },
    create: { url: api, method: 'POST', headers: json, setupClient: (client) => client.setBody(JSON.stringify({ title: `new ${next++}`, views: 1 })) },
    batch: {
      url: `${base}/api/batch`,
      method: 'POST',
      headers: json,
      connections: 4,
      setupClient: (client) => client.setBody(JSON.stringify({ operations: Array.from({ length: 100 }, () => ({ action: 'create', collection: 'posts', data: { title: `batched ${next++}`, views: 2 } })) })),
    },
    update: { url: `${api}/post42`, method: 'PATCH', headers: json, setupClient: (client) => client.setBody(JSON.stringify({ views: next++ })) },
  };
  const result = await autocannon({ connections: 32, duration: Number(options.duration), ...scenarios[options.scenario] });
  console.log(`${result.requests.total} requests`);
  console.log(`${options.scenario}: ${Math.round(result.requests.average)} req/s, ${result.non2xx} non-2xx`);
  await stop(child);
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(path.join(profileDir, file), 'utf8'));
  const self = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const interval = (profile.endTime - profile.startTime) / profile.samples.length;
  for (const id of profile.samples) {
    const { callFrame } = byId.get(id);
    const key = `${callFrame.functionName || '(anonymous)'} ${callFrame.url.replace(/^.*\/(node_modules|packages)\//, '$1/')}:${callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + interval);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  for (const [key, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(options.top))) {
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
  if (options.keep) console.log(`profile kept in ${options.keep}`);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  if (!options.keep) rmSync(profileDir, { recursive: true, force: true });
}
