// Sign-in latency per method, one request at a time (no flood: bench/auth-flood.mjs does floods): email and
// password, and email, password and a TOTP code (the second factor adds a row read and a compare-and-set).
// Each TOTP sign-in needs a code from a later time step than the last one used, so that method signs in with
// recovery codes after the first, which take the same path through the server (one hash lookup, one update).
// Usage: npm run build && node bench/sign-in-latency.mjs [--count 50] [--cost 15]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { startCauseway } from './support.mjs';

const arg = (name, fallback) => (process.argv.includes(`--${name}`) ? Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) : fallback);
const count = arg('count', 50);
const cost = arg('cost', 15);
const children = [];
const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-bench-sign-in-'));
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const { base } = await startCauseway({ dataDir, children, env: { CAUSEWAY_PASSWORD_COST: String(cost), CAUSEWAY_AUTH_RATE_LIMIT: '100000' } });
const call = async (pathname, body, token) => {
  const response = await fetch(base + pathname, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body ?? {}) });
  return { status: response.status, body: await response.json().catch(() => ({})) };
};

const password = 'a bench passphrase';
const plain = await call('/api/collections/users/auth/sign-up', { email: 'plain@example.com', password });
const second = await call('/api/collections/users/auth/sign-up', { email: 'totp@example.com', password });
const setup = await call('/api/collections/users/auth/mfa/setup', {}, second.body.token);
const totp = new TOTP({ secret: Secret.fromBase32(setup.body.secret) });
/** Ten recovery codes: turns the factor on (off and on again after the first time; codes die with it). */
let batches = 0;
async function recoveryCodes() {
  if (batches++ > 0) {
    await call('/api/collections/users/auth/mfa/disable', { password }, second.body.token);
    totp.secret = Secret.fromBase32((await call('/api/collections/users/auth/mfa/setup', {}, second.body.token)).body.secret);
    // The step of the last enabling code is spent for this account: wait for the next one.
    await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 50));
  }
  const enabled = await call('/api/collections/users/auth/mfa/enable', { code: totp.generate() }, second.body.token);
  if (enabled.status !== 200) throw new Error(`enable failed: ${JSON.stringify(enabled.body)}`);
  return enabled.body.recoveryCodes;
}
if (plain.status !== 201) throw new Error('sign-up failed');

async function measure(name, body) {
  const times = [];
  let codes = [];
  for (let i = 0; i < count; i++) {
    const code = name.includes('second') ? (codes.length ? codes : (codes = await recoveryCodes())).shift() : undefined;
    const started = performance.now();
    const answer = await call('/api/collections/users/auth/sign-in', body(code));
    times.push(performance.now() - started);
    if (answer.status !== 200) throw new Error(`${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)].toFixed(1);
  console.log(`${name.padEnd(28)} n=${count}  p50 ${at(0.5)} ms  p99 ${at(0.99)} ms  (scrypt log2N=${cost})`);
}

await measure('password', () => ({ email: 'plain@example.com', password }));
await measure('password + second factor', (code) => ({ email: 'totp@example.com', password, code }));
process.exit(0);
