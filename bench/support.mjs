// Helpers the benchmarks share: ports, time, and the subscriber processes of realtime-clients.mjs.
import { fork, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A child process speaking the small IPC protocol of realtime-clients.mjs; pushed onto `children` to be killed at exit. */
export function subscriberProcess(children) {
  const child = fork(path.join(root, 'bench/realtime-clients.mjs'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  const waiting = [];
  child.on('message', (message) => {
    const index = waiting.findIndex((w) => w.type === message.type);
    if (index >= 0) waiting.splice(index, 1)[0].resolve(message);
  });
  const next = (type) => new Promise((resolve) => waiting.push({ type, resolve }));
  const ready = next('ready');
  return {
    ready,
    async open(url, count, collection) {
      const opened = next('opened');
      child.send({ type: 'open', url, count, collection });
      return opened;
    },
    expect(deliveries) {
      child.send({ type: 'expect', deliveries });
      return next('all-received');
    },
    async latencies(from) {
      const answer = next('latencies');
      child.send({ type: 'latencies', from });
      return answer;
    },
    close() {
      child.send({ type: 'close' });
    },
  };
}

// CPU time a process has used, in ms (Linux /proc): throughput on a shared 2-core machine swings with the
// neighbours, but CPU time per request barely does, so it gives the steadier ratio.
export function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Starts `causeway serve` on a free port over `dataDir`, with `env` added to this process's environment (and
 * `nodeArgs` before the script, e.g. `--cpu-prof`; `script`, another build's CLI, to compare); pushed onto `children` to be killed at exit. Resolves once
 * /api/health answers, with the time that took.
 */
export async function startCauseway({ dataDir, env = {}, children, nodeArgs = [], script = path.join(root, 'packages/server/dist/cli/main.js') }) {
  const port = await freePort();
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, script, 'serve', '--port', String(port), '--log-level', 'warn', '--data-dir', dataDir], {
    stdio: ['ignore', 'ignore', 'inherit'],
    // Benchmarks send far more than a client would: the general limit per address is off unless `env` sets it.
    env: { ...process.env, CAUSEWAY_RATE_LIMIT: '0', ...env },
  });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if ((await fetch(`${base}/api/health`).catch(() => undefined))?.ok) break;
    if (child.exitCode !== null) throw new Error('causeway exited during start');
    await sleep(5);
  }
  return { child, port, base, startMs: performance.now() - startedAt };
}

/**
 * Creates records through REST at `perSecond` for `seconds` (numbered from `from`; `body(n)` gives each one's
 * data), without waiting for answers before the next is due. Resolves once all are answered, with when each was
 * sent and when its answer came, by n; throws on any refusal.
 */
export async function writeAtRate({ url, token, perSecond, seconds, from = 0, body = (n) => ({ n, title: 'tick' }) }) {
  const sent = new Map();
  const acks = new Map();
  const pending = [];
  const started = now();
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  for (let i = 0; i < perSecond * seconds; i++) {
    const wait = started + (i * 1000) / perSecond - now();
    if (wait > 0) await sleep(wait);
    const n = from + i;
    sent.set(n, now());
    pending.push(
      fetch(url, { method: 'POST', headers, body: JSON.stringify(body(n)) }).then(async (response) => {
        acks.set(n, now());
        if (!response.ok) throw new Error(await response.text());
      }),
    );
  }
  await Promise.all(pending);
  return { sent, acks };
}

/**
 * Stops every child process in `children` and empties the list: SIGTERM, then SIGKILL (said on stderr) for one
 * that has not exited within 20 s, so a shutdown that hangs shows instead of stalling the benchmark.
 */
export async function stopChildren(children) {
  await Promise.all(children.splice(0).map((child) => {
    if (child.exitCode !== null) return undefined;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const killer = setTimeout(() => {
      console.error(`  (process ${child.pid} did not exit within 20 s of SIGTERM: killed)`);
      child.kill('SIGKILL');
    }, 20_000);
    return exited.finally(() => clearTimeout(killer));
  }));
}

/** What a benchmark leaves behind, removed: its processes, temporary data directories and PostgreSQL schemas. */
export async function cleanUp({ children, dataDirs, schemas = [], postgresServer }) {
  await stopChildren(children);
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  if (schemas.length === 0) return;
  const { default: postgres } = await import('postgres');
  const sql = postgres(postgresServer, { max: 1, onnotice: () => undefined });
  for (const schema of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await sql.end();
}
