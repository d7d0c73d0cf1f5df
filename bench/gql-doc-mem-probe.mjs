import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCauseway, sleep } from './support.mjs';
const children = [];
const { base, child } = await startCauseway({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'gm-')), children });
const first = await fetch(`${base}/api/admins/first-run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@example.com', password: 'bench admin passphrase' }) });
const { token } = await first.json();
const post = (p, body, auth = true) => fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
const fields = Array.from({ length: 12 }, (_, i) => ({ name: `f${i}`, type: i % 2 ? 'text' : 'number' }));
console.log((await post('/api/collections', { name: 'items', fields, listRule: '', viewRule: '' })).status);
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(require_('fs').readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
import fs from 'node:fs';
function require_() { return fs; }
const mode = process.argv[2] ?? 'wide';
const N = Number(process.argv[3] ?? 1000);
console.log('rss start MB', rss().toFixed(0));
for (let n = 0; n < N; n++) {
  let q;
  const sel = fields.map((f) => f.name).join(' ');
  if (mode === 'wide') q = `query Q${n} { ${Array.from({ length: 25 }, (_, a) => `a${a}: items(first: 1) { edges { node { id ${sel} } } }`).join(' ')} }`;
  else if (mode === 'huge') q = `query Q${n} { ${Array.from({ length: 1000 }, (_, a) => `a${a}: items(first: 1) { edges { node { ...F } } }`).join(' ')} } fragment F on Items { id ${sel} }`;
  else q = `query Q${n} { items(first: 1) { edges { node { id } } } }`;
  const r = await post('/api/graphql', { query: q }, false);
  if (n === 0) console.log(r.status, (await r.text()).slice(0, 200), 'doc bytes', q.length);
  else await r.arrayBuffer();
}
await sleep(1000);
console.log('rss end MB', rss().toFixed(0));
for (const c of children) c.kill();
