// Realtime matching benchmark (issue 20): what an event costs when many subscriptions watch one collection but
// each write concerns few of them.
//   A. N collection subscriptions filtered by owner (`owner = "o<k>"`), writes at R/s each for one random owner:
//      latency from write sent to event received (p50, p99), and server CPU per write.
//   B. L live queries with distinct filters (`owner = "o<k>"`, sort -n, limit 10), writes at R2/s each for one
//      random owner: latency from write sent to diff received, and server CPU per write.
//   0. The same writes as B and C with no subscriber: server CPU per write of the write itself.
//   C. S live queries sharing P shapes (`owner = "o<k mod P>"`, sort -n, limit 10: S/P subscribers each), writes
//      at R2/s each for one random shape: latency from write sent to each subscriber's diff, server CPU per write.
// Usage: npm run build && node bench/realtime-matching.mjs [--subscriptions 10000] [--rate 1000]
//   [--live 1000] [--live-rate 100] [--shared 10000] [--shapes 100] [--duration 5] [--sections 0ABC]
//   [--server path/to/packages/server/dist/cli/main.js]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { cpuMs, now, sleep, startCauseway, writeAtRate } from './support.mjs';

const arg = (name, fallback) => (process.argv.includes(`--${name}`) ? Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) : fallback);
const subscriptions = arg('subscriptions', 10_000);
const rate = arg('rate', 1000);
const live = arg('live', 1000);
const liveRate = arg('live-rate', 100);
const shared = arg('shared', 10_000);
const shapes = arg('shapes', 100);
const duration = arg('duration', 5);
const sections = process.argv.includes('--sections') ? process.argv[process.argv.indexOf('--sections') + 1] : '0ABC';
const perSocket = 100;
const children = [];

const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const fmt = (ms) => `${ms.toFixed(1)} ms`;

/** Opens ceil(count / 100) sockets holding `count` subscriptions made by `spec(k)`; calls `onMessage(text)` for every message. */
async function subscribeAll(url, count, spec, onMessage) {
  const sockets = [];
  for (let first = 0; first < count; first += perSocket) {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    let pending = Math.min(perSocket, count - first);
    await new Promise((resolve, reject) => {
      socket.on('error', reject);
      socket.on('message', (data) => {
        const text = data.toString();
        if (text.startsWith('{"type":"welcome"')) {
          for (let k = first; k < first + pending; k++) socket.send(JSON.stringify({ sub: `s${k}`, ...spec(k) }));
        } else if (text.startsWith('{"type":"subscribed"') || text.startsWith('{"type":"snapshot"')) {
          if (--pending === 0) resolve();
        } else if (text.startsWith('{"type":"error"')) reject(new Error(text));
        else onMessage(text);
      });
    });
    sockets.push(socket);
  }
  return sockets;
}


const serverPath = process.argv.includes('--server') ? process.argv[process.argv.indexOf('--server') + 1] : undefined;
try {
  const causeway = await startCauseway({
    dataDir: mkdtempSync(path.join(tmpdir(), 'causeway-matching-bench-')),
    children,
    ...(serverPath ? { script: serverPath } : {}),
    // PROFILE_DIR=dir writes a CPU profile of the server there when it exits.
    nodeArgs: process.env.PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_DIR}`] : [],
    env: { CAUSEWAY_REALTIME_MAX_CONNECTIONS_PER_IP: '100000', CAUSEWAY_SQLITE_SYNCHRONOUS: 'normal' },
  });
  const base = `http://127.0.0.1:${causeway.port}`;
  const first = await fetch(`${base}/api/admins/first-run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.com', password: 'bench admin passphrase' }) });
  const token = (await first.json()).token;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const items = `${base}/api/collections/items/records`;
  const forOwnerAmong = (owners) => (n) => ({ n, owner: `o${Math.floor(Math.random() * owners)}` });
  await fetch(`${base}/api/collections`, { method: 'POST', headers, body: JSON.stringify({ name: 'items', fields: [{ name: 'n', type: 'number' }, { name: 'owner', type: 'text' }], listRule: '', viewRule: '' }) });
  const url = `ws://127.0.0.1:${causeway.port}/api/realtime`;
  console.log(`Realtime matching benchmark; node ${process.version}; SQLite with synchronous=normal (what is measured is matching, not fsync)\n`);

  const numberOf = /"n":(\d+)/;

  // 0. The same writes with nobody watching: what a write costs by itself, to tell the realtime share apart.
  if (sections.includes('0')) {
    const cpu0 = cpuMs(causeway.child.pid);
    const { sent: sent0 } = await writeAtRate({ url: items, token, perSecond: liveRate, seconds: duration, from: 3_000_000, body: forOwnerAmong(live) });
    await sleep(1000);
    console.log(`0. No subscribers, ${liveRate} writes/s for ${duration} s: server CPU ${((cpuMs(causeway.child.pid) - cpu0) / sent0.size).toFixed(2)} ms per write`);
  }

  // A. Filtered collection subscriptions.
  if (sections.includes('A')) {
    const arrivals = new Map();
    const socketsA = await subscribeAll(url, subscriptions, (k) => ({ type: 'subscribe', kind: 'collection', collection: 'items', filter: `owner = "o${k}"` }), (text) => {
      if (text.startsWith('{"type":"event"')) arrivals.set(Number(numberOf.exec(text)[1]), now());
    });
    const cpuA = cpuMs(causeway.child.pid);
    const { sent: sentA } = await writeAtRate({ url: items, token, perSecond: rate, seconds: duration, body: forOwnerAmong(subscriptions) });
    await sleep(1000);
    const cpuPerWriteA = (cpuMs(causeway.child.pid) - cpuA) / sentA.size;
    const latenciesA = [...sentA].filter(([n]) => arrivals.has(n)).map(([n, at]) => arrivals.get(n) - at).sort((a, b) => a - b);
    console.log(`A. ${subscriptions} subscriptions filtered by owner, ${rate} writes/s for ${duration} s: ${latenciesA.length} of ${sentA.size} events delivered; write → event p50 ${fmt(percentile(latenciesA, 0.5))}, p99 ${fmt(percentile(latenciesA, 0.99))} (target ≤ 50 ms); server CPU ${cpuPerWriteA.toFixed(2)} ms per write`);
    for (const socket of socketsA) socket.terminate();
    await sleep(1000);
  }

  // B. Live queries with distinct filters.
  if (sections.includes('B')) {
    const diffs = new Map();
    const socketsB = await subscribeAll(url, live, (k) => ({ type: 'subscribe', kind: 'query', collection: 'items', filter: `owner = "o${k}"`, sort: '-n', limit: 10 }), (text) => {
      if (text.startsWith('{"type":"diff"')) {
        const n = Number(numberOf.exec(text)?.[1]);
        if (!diffs.has(n)) diffs.set(n, now());
      }
    });
    const cpuB = cpuMs(causeway.child.pid);
    const { sent: sentB } = await writeAtRate({ url: items, token, perSecond: liveRate, seconds: duration, from: 1_000_000, body: forOwnerAmong(live) });
    await sleep(1000);
    const cpuPerWriteB = (cpuMs(causeway.child.pid) - cpuB) / sentB.size;
    const latenciesB = [...sentB].filter(([n]) => diffs.has(n)).map(([n, at]) => diffs.get(n) - at).sort((a, b) => a - b);
    console.log(`B. ${live} live queries with distinct filters, ${liveRate} writes/s for ${duration} s: ${latenciesB.length} of ${sentB.size} diffs seen; write → diff p50 ${fmt(percentile(latenciesB, 0.5))}, p99 ${fmt(percentile(latenciesB, 0.99))} (target ≤ 100 ms); server CPU ${cpuPerWriteB.toFixed(2)} ms per write (target ≤ 2 ms)`);
    for (const socket of socketsB) socket.terminate();
    await sleep(1000);
  }

  // C. Live queries sharing shapes: every write concerns the S/P subscribers of one shape.
  if (sections.includes('C')) {
    const arrivalsC = new Map();
    const socketsC = await subscribeAll(url, shared, (k) => ({ type: 'subscribe', kind: 'query', collection: 'items', filter: `owner = "s${k % shapes}"`, sort: '-n', limit: 10 }), (text) => {
      if (!text.startsWith('{"type":"diff"')) return;
      const n = Number(numberOf.exec(text)?.[1]);
      const at = now();
      const list = arrivalsC.get(n);
      if (list) list.push(at);
      else arrivalsC.set(n, [at]);
    });
    const cpuC = cpuMs(causeway.child.pid);
    const forShape = (n) => ({ n, owner: `s${Math.floor(Math.random() * shapes)}` });
    const { sent: sentC } = await writeAtRate({ url: items, token, perSecond: liveRate, seconds: duration, from: 2_000_000, body: forShape });
    await sleep(1000);
    const cpuPerWriteC = (cpuMs(causeway.child.pid) - cpuC) / sentC.size;
    const latenciesC = [...sentC].flatMap(([n, at]) => (arrivalsC.get(n) ?? []).map((arrived) => arrived - at)).sort((a, b) => a - b);
    const expected = sentC.size * (shared / shapes);
    console.log(`C. ${shared} live queries sharing ${shapes} shapes, ${liveRate} writes/s for ${duration} s: ${latenciesC.length} of ${expected} diffs seen; write → diff p50 ${fmt(percentile(latenciesC, 0.5))}, p99 ${fmt(percentile(latenciesC, 0.99))} (target ≤ 100 ms); server CPU ${cpuPerWriteC.toFixed(2)} ms per write (target ≤ 2 ms)`);
    for (const socket of socketsC) socket.terminate();
  }
} finally {
  // SIGINT, so a profiling server writes its profile before it exits.
  for (const child of children) child.kill('SIGINT');
}
