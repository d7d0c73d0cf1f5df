// Sign-in latency with an OpenID Connect provider, one sign-in at a time: `start` (the authorization URL; the
// provider's discovery is cached after the first), `finish` (state spent, code exchanged at the token endpoint,
// ID token checked, userinfo read, account found, session started), and what other requests see meanwhile: a
// /api/health probe every 20 ms, to show the exchange waits on the network without blocking the event loop.
// The provider is `oidc-provider` on loopback, so its network cost is near zero: a real provider adds its
// round trips (two for finish: token and userinfo) to `finish`.
// Usage: npm run build && node bench/oidc-sign-in.mjs [--count 50]
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { sleep, startCauseway } from './support.mjs';

const arg = (name, fallback) => (process.argv.includes(`--${name}`) ? Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) : fallback);
const count = arg('count', 50);
const children = [];
const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-bench-oidc-'));
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

// The provider: one client, people `person-N` with verified emails, no login or consent screens.
const callback = 'http://127.0.0.1:5173/auth/callback';
const idp = createServer();
await new Promise((resolve) => idp.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${idp.address().port}`;
let login = '';
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const provider = new Provider(issuer, {
  clients: [{ client_id: 'bench', client_secret: 'bench-secret', redirect_uris: [callback], token_endpoint_auth_method: 'client_secret_post' }],
  jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'bench' }] },
  ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  cookies: { keys: ['bench-cookie-key'] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email');
    await grant.save();
    return grant;
  },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, email: `${sub}@example.com`, email_verified: true }) }),
});
const handle = provider.callback();
idp.on('request', (req, res) => (req.url.startsWith('/interaction/') ? provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false }) : handle(req, res)));

/** Plays the browser at the provider; resolves the URL it sends the browser back to. */
async function authorize(url, sub) {
  login = sub;
  const cookies = new Map();
  for (let next = new URL(url); ; ) {
    if (next.origin !== issuer) return next;
    const response = await fetch(next, { redirect: 'manual', headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    next = new URL(response.headers.get('location'), next);
  }
}

const { base } = await startCauseway({ dataDir, children, env: { CAUSEWAY_AUTH_RATE_LIMIT: '100000', CAUSEWAY_ADMIN_PASSWORD: 'bench admin passphrase' } });
const call = async (method, pathname, body, token) => {
  const response = await fetch(base + pathname, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: await response.json().catch(() => ({})) };
};
const admin = await call('POST', '/api/admins/first-run', { email: 'bench-admin@example.com', password: 'bench admin passphrase' });
const configured = await call('PUT', '/api/collections/users/oauth-providers/bench', { issuer, clientId: 'bench', clientSecret: 'bench-secret', redirectUris: [callback] }, admin.body.token);
if (configured.status !== 200) throw new Error(`configuring the provider failed: ${JSON.stringify(configured.body)}`);

const timed = async (work) => {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
};
const summary = (times) => {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)].toFixed(1);
  return `p50 ${at(0.5)} ms  p99 ${at(0.99)} ms`;
};

async function run(label, subject) {
  const starts = [];
  const finishes = [];
  const probes = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      probes.push((await timed(() => fetch(`${base}/api/health`).then((r) => r.arrayBuffer()))).ms);
      await sleep(20);
    }
  })();
  for (let i = 0; i < count; i++) {
    const start = await timed(() => call('POST', '/api/collections/users/auth/oauth/bench/start', { redirectUri: callback }));
    if (start.result.status !== 200) throw new Error(`start: ${JSON.stringify(start.result.body)}`);
    const back = await authorize(start.result.body.url, subject(i));
    const answer = { code: back.searchParams.get('code'), state: back.searchParams.get('state'), iss: back.searchParams.get('iss') };
    const finish = await timed(() => call('POST', '/api/collections/users/auth/oauth/bench/finish', answer));
    if (finish.result.status !== 200) throw new Error(`finish: ${JSON.stringify(finish.result.body)}`);
    starts.push(start.ms);
    finishes.push(finish.ms);
  }
  probing = false;
  await prober;
  console.log(`${label.padEnd(34)} n=${count}  start ${summary(starts)}  finish ${summary(finishes)}  health meanwhile ${summary(probes)} (n=${probes.length})`);
}

await run('sign-up (a new account each time)', (i) => `person-${i}`);
await run('sign-in (the same linked account)', () => 'person-0');
idp.close();
process.exit(0);
