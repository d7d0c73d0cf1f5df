// Files benchmark: upload throughput (1 MB and 100 MB files) against a plain @fastify/multipart route streaming
// to disk, download of a 1 MB file against @fastify/static, thumbnails made per second, and the server's memory
// while a 1 GB file uploads. Both servers run as child processes on this machine's disk.
// Usage: npm run build && node bench/files.mjs [--quick]
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { root, sleep, startCauseway } from './support.mjs';

const quick = process.argv.includes('--quick');
const work = mkdtempSync(path.join(tmpdir(), 'causeway-files-bench-'));
const children = [];
const mb = 1024 * 1024;

function makeFile(name, bytes) {
  const file = path.join(work, name);
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(mb, 'x');
  for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - written));
  closeSync(fd);
  return file;
}

/** One multipart upload of `file` as field `field`, streamed from disk; resolves with the status and body. */
function upload(url, field, file, size, headers = {}) {
  const boundary = 'benchboundary';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${path.basename(file)}"\r\nContent-Type: text/plain\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + size + tail.length } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.write(head);
    const stream = createReadStream(file);
    stream.on('end', () => req.end(tail));
    stream.pipe(req, { end: false });
  });
}

async function uploadRate(url, field, file, size, count, headers) {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const answer = await upload(url, field, file, size, headers);
    if (answer.status >= 300) throw new Error(`upload answered ${answer.status}: ${answer.body}`);
  }
  return (size * count) / mb / ((performance.now() - started) / 1000);
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

async function downloadRate(url, headers = {}) {
  const result = await autocannon({ url, connections: 8, duration: quick ? 3 : 8, headers });
  if (result.non2xx > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers`);
  return result.requests.average;
}

function startPlain(dir) {
  const child = spawn(process.execPath, [path.join(root, 'bench/servers/plain-multipart.mjs'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve) => {
    child.stdout.on('data', (chunk) => {
      const match = /listening (\d+)/.exec(String(chunk));
      if (match) resolve(`http://127.0.0.1:${match[1]}`);
    });
  });
}

try {
  const causeway = await startCauseway({ dataDir: path.join(work, 'causeway'), children, env: { CAUSEWAY_BODY_LIMIT: String(mb) } });
  const json = { 'content-type': 'application/json' };
  const { token } = await (await fetch(`${causeway.base}/api/admins/first-run`, { method: 'POST', headers: json, body: JSON.stringify({ email: 'bench@example.com', password: 'bench passphrase long' }) })).json();
  const admin = { authorization: `Bearer ${token}` };
  const made = await fetch(`${causeway.base}/api/collections`, {
    method: 'POST',
    headers: { ...json, ...admin },
    body: JSON.stringify({ name: 'files', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'f', type: 'file', maxSize: 2 * 1024 ** 3, thumbs: ['100x100'] }] }),
  });
  if (made.status !== 201) throw new Error(`collection: ${made.status} ${await made.text()}`);
  const plain = await startPlain(path.join(work, 'plain'));
  const records = `${causeway.base}/api/collections/files/records`;

  console.log('upload throughput (sequential, one file per request)');
  for (const [label, size, count] of [['1 MB', mb, quick ? 20 : 100], ['100 MB', 100 * mb, quick ? 2 : 5]]) {
    const file = makeFile(`upload-${label.replace(' ', '')}.txt`, size);
    await uploadRate(records, 'f', file, size, 2);
    await uploadRate(`${plain}/upload`, 'f', file, size, 2);
    const ours = await uploadRate(records, 'f', file, size, count);
    const theirs = await uploadRate(`${plain}/upload`, 'f', file, size, count);
    console.log(`  ${label}: causeway ${ours.toFixed(0)} MB/s, plain @fastify/multipart ${theirs.toFixed(0)} MB/s, ratio ${(ours / theirs).toFixed(2)} (target >= 0.8)`);
  }

  console.log('download of a 1 MB file (8 connections)');
  const one = makeFile('download.txt', mb);
  const uploaded = JSON.parse((await upload(records, 'f', one, mb)).body);
  const plainName = JSON.parse((await upload(`${plain}/upload`, 'f', one, mb)).body).names[0];
  const ours = await downloadRate(`${causeway.base}/api/files/files/${uploaded.id}/${uploaded.f}`);
  const theirs = await downloadRate(`${plain}/static/${plainName}`);
  console.log(`  causeway ${ours.toFixed(0)} req/s, @fastify/static ${theirs.toFixed(0)} req/s, ratio ${(ours / theirs).toFixed(2)} (target >= 0.8)`);

  console.log('thumbnails (100x100 of 1600x1200 JPEGs, first request each, one at a time)');
  const jpeg = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 30, g: 120, b: 200 } } }).jpeg().toBuffer();
  writeFileSync(path.join(work, 'photo.jpg'), jpeg);
  const photos = [];
  for (let i = 0; i < (quick ? 10 : 40); i++) photos.push(JSON.parse((await upload(records, 'f', path.join(work, 'photo.jpg'), jpeg.length)).body));
  const started = performance.now();
  for (const photo of photos) {
    const response = await fetch(`${causeway.base}/api/files/files/${photo.id}/${photo.f}?thumb=100x100`);
    if (response.status !== 200) throw new Error(`thumbnail: ${response.status}`);
    await response.arrayBuffer();
  }
  console.log(`  ${(photos.length / ((performance.now() - started) / 1000)).toFixed(1)} thumbnails/s`);

  console.log('server memory during a 1 GB upload');
  const gb = makeFile('upload-1GB.txt', quick ? 256 * mb : 1024 * mb);
  const idle = rssMb(causeway.child.pid);
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(causeway.child.pid))), 50);
  const begun = performance.now();
  const answer = await upload(records, 'f', gb, quick ? 256 * mb : 1024 * mb);
  clearInterval(sampler);
  if (answer.status !== 201) throw new Error(`1 GB upload: ${answer.status} ${answer.body}`);
  console.log(`  ${quick ? '256 MB' : '1 GB'} in ${((performance.now() - begun) / 1000).toFixed(1)} s; RSS idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, +${(peak - idle).toFixed(0)} MB (target: under +100 MB)`);
} finally {
  for (const child of children) child.kill('SIGKILL');
  await sleep(100);
  rmSync(work, { recursive: true, force: true });
}
