// The admin console as a browser sees it: JavaScript size (gzip) and the time from navigation to the first
// screen being interactive, on localhost, in Debian's Chromium. Usage: npm run build && node bench/console.mjs
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const assets = path.join(root, 'packages/console/dist/assets');
for (const file of readdirSync(assets).filter((f) => f.endsWith('.js') || f.endsWith('.css'))) {
  const content = readFileSync(path.join(assets, file));
  console.log(`${file}: ${(content.length / 1024).toFixed(1)} KB, ${(gzipSync(content, { level: 9 }).length / 1024).toFixed(1)} KB gzip`);
}

const { createServer } = await import(path.join(root, 'packages/server/dist/app.js'));
const { loadConfig } = await import(path.join(root, 'packages/server/dist/config/config.js'));
const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-console-bench-'));
const server = await createServer({ config: loadConfig({ dataDir, port: 0, logLevel: 'warn', rateLimit: 0 }, {}) });
const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  const times = [];
  for (let run = 0; run < 5; run++) {
    const page = await browser.newPage();
    const started = performance.now();
    await page.goto(`${url}/_/`);
    await page.getByRole('button', { name: 'Create admin' }).waitFor();
    times.push(performance.now() - started);
    await page.close();
  }
  times.sort((a, b) => a - b);
  console.log(`first load to interactive (first-run screen), 5 loads: median ${times[2].toFixed(0)} ms, worst ${times[4].toFixed(0)} ms (target ≤ 1,000 ms)`);

  // The grid over 10,000 records: time to show the first page, and to show each further page.
  await server.auth.createAdmin('bench@example.com', 'bench admin passphrase');
  const session = await server.auth.signIn('_admins', 'bench@example.com', 'bench admin passphrase');
  const admin = { kind: 'admin', id: session.record.id, email: 'bench@example.com', sessionId: '' };
  await server.collections.create({ name: 'items', fields: [{ name: 'title', type: 'text' }, { name: 'rank', type: 'number' }] });
  for (let offset = 0; offset < 10_000; offset += 1000) {
    await server.records.batch(admin, { operations: Array.from({ length: 1000 }, (_, i) => ({ action: 'create', collection: 'items', data: { title: `item ${offset + i}`, rank: offset + i } })) });
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${url}/_/`);
  await page.evaluate((value) => localStorage.setItem('causeway.console', value), JSON.stringify({ token: session.token, refreshToken: session.refreshToken, realm: '_admins' }));
  await page.reload();
  await page.getByRole('button', { name: 'items', exact: true }).click();
  let started = performance.now();
  await page.locator('tbody tr').nth(49).waitFor();
  const firstPage = performance.now() - started;
  const more = [];
  for (let pageIndex = 2; pageIndex <= 4; pageIndex++) {
    started = performance.now();
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.locator('tbody tr').nth(pageIndex * 50 - 1).waitFor();
    more.push(performance.now() - started);
  }
  console.log(`grid over 10,000 records: first 50 rows in ${firstPage.toFixed(0)} ms; each further 50 in ${more.map((m) => m.toFixed(0)).join(', ')} ms`);
} finally {
  await browser.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
