import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.js';

/*
 * Every shell block of README.md and docs/*.md, run as written, in order, in one bash session, from the checkout's
 * root (as the README's tour says), against a server started by the README's own `sh server` block.
 *
 * The convention (also stated in the README): ```sh blocks run; ```sh server starts the server and is left running
 * (the test waits for /api/health); ```sh no-test is illustrative and skipped. What the test changes, and only
 * this: the server gets a free port in place of 8090 (`CAUSEWAY_PORT`, and `localhost:8090`/`127.0.0.1:8090` in
 * the commands' text) and a temporary data directory (`CAUSEWAY_DATA_DIR`, in every command's environment), and
 * the server block's leading `npm ci &&` is skipped: reinstalling would pull node_modules from under the running
 * tests (a fresh clone's `.ci/run` runs `npm ci` itself).
 */

const repo = path.resolve('.');
const documents = ['README.md', ...readdirSync('docs').filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)];
const shells = new Set(['sh', 'bash', 'shell', 'console']);

interface Block {
  file: string;
  line: number;
  kind: 'run' | 'server' | 'no-test';
  text: string;
}

/** The fenced shell blocks of a Markdown file, with how the info string says to treat them. */
function shellBlocks(file: string): Block[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    if (shells.has(open[1]!)) {
      const tag = open[2]!.trim();
      if (!['', 'server', 'no-test'].includes(tag)) throw new Error(`${file}:${i + 1}: unknown shell block tag '${tag}'`);
      blocks.push({ file, line: i + 1, kind: tag === '' ? 'run' : (tag as Block['kind']), text: lines.slice(i + 1, end).join('\n') });
    }
    i = end;
  }
  return blocks;
}

const blocks = documents.flatMap(shellBlocks);
const work = mkdtempSync(path.join(tmpdir(), 'causeway-docs-'));
// What the blocks write into the checkout. Only these are removed afterwards (other tests write beside them, such
// as the browser tests' screenshots); a developer's own copy (from following the tour by hand) is kept aside.
const written = ['schema.json'];
const kept = written.filter((name) => existsSync(path.join(repo, name)));
for (const name of kept) renameSync(path.join(repo, name), path.join(work, `kept-${name}`));
let group: number | undefined;

afterAll(async () => {
  if (group) {
    try {
      process.kill(-group, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  for (const name of written) rmSync(path.join(repo, name), { force: true });
  for (const name of kept) renameSync(path.join(work, `kept-${name}`), path.join(repo, name));
  rmSync(work, { recursive: true, force: true });
});

describe('the commands in README.md and docs/*.md', () => {
  it('keeps the set of blocks that are not run small, and starts the server the way the README says', () => {
    // The quick start's one command that installs and starts, and its other that runs the tests.
    expect(blocks.filter((b) => b.kind === 'server').map((b) => `${b.file}: ${b.text.trim()}`)).toEqual([expect.stringMatching(/^README\.md: npm ci && npm start\b/)]);
    expect(blocks.find((b) => b.kind === 'no-test')?.text.trim()).toMatch(/^npm test\b/);
    expect(blocks.filter((b) => b.kind === 'no-test').length).toBeLessThanOrEqual(6);
    expect(blocks.filter((b) => b.kind === 'run').length).toBeGreaterThanOrEqual(3);
  });

  it('run as written, in order, each exiting 0 and printing what the README says', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const dataDir = path.join(work, 'data');
    const withPort = (text: string) => text.replace(/\b(localhost|127\.0\.0\.1):8090\b/g, `$1:${port}`);
    const script = ['set -eo pipefail'];
    blocks.forEach((block, index) => {
      if (block.kind === 'no-test') return;
      script.push(`printf '\\n@@block ${index}@@\\n'; printf '\\n@@block ${index}@@\\n' >&2`);
      if (block.kind === 'server') {
        script.push(`( ${withPort(block.text).replace(/^npm ci && /, '')}\n) > ${JSON.stringify(path.join(work, 'server.log'))} 2>&1 &`);
        // Up within 60 s, or the run fails here with the server's log.
        script.push(`for _ in $(seq 600); do curl -sf localhost:${port}/api/health > /dev/null && break; sleep 0.1; done`);
        script.push(`curl -sf localhost:${port}/api/health > /dev/null || { cat ${JSON.stringify(path.join(work, 'server.log'))} >&2; exit 1; }`);
      } else {
        script.push(withPort(block.text));
      }
    });
    script.push(`printf '\\n@@end@@\\n'`);
    writeFileSync(path.join(work, 'docs.sh'), `${script.join('\n')}\n`);

    // The environment of a user's terminal: none of the npm_* settings of an `npm test` that may have started us.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
    const child = spawn('bash', [path.join(work, 'docs.sh')], {
      cwd: repo,
      env: { ...env, CAUSEWAY_PORT: String(port), CAUSEWAY_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    group = child.pid;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    const outputs = new Map<number, string>();
    for (const part of stdout.split(/\n@@block (\d+)@@\n/).slice(1).reduce<string[][]>((pairs, item, i, all) => (i % 2 === 0 ? [...pairs, [item, all[i + 1]!]] : pairs), [])) {
      outputs.set(Number(part[0]), part[1]!.replace(/\n@@end@@\n$/, ''));
    }
    const last = Math.max(...outputs.keys());
    expect(code, `failed in ${blocks[last]!.file}:${blocks[last]!.line}:\n${blocks[last]!.text}\n--- stdout:\n${outputs.get(last)}\n--- stderr:\n${stderr.slice(-3000)}`).toBe(0);
    expect(stdout).toContain('@@end@@');

    // What the README says each step shows (found by a command the block holds).
    const said: Array<[string, RegExp[]]> = [
      ['admin create', [/^admin created: you@example\.com$/m]],
      ['"name": "posts"', [/"name":"authors"/, /"name":"posts"/]],
      ['count=true', [/"title":"Hello"/, /"name":"Ann"/, /"total":1\b/]],
      ['api/batch', [/"title":"One"/, /"title":"Two"/]],
      ['auth/sign-up', [/"token":"[^"]+"/, /"email":"ann@example\.com"/]],
      ['api/schema/import', [/"unchanged":\["authors","posts","users"\]/]],
    ];
    for (const [command, patterns] of said) {
      const index = blocks.findIndex((block) => block.kind === 'run' && block.text.includes(command));
      expect(index, `no block runs ${command}`).toBeGreaterThanOrEqual(0);
      for (const pattern of patterns) expect(outputs.get(index), `${blocks[index]!.file}:${blocks[index]!.line}`).toMatch(pattern);
    }
    // No step answered with a problem (curl -s alone exits 0 on an error status).
    for (const [index, output] of outputs) expect(output, `${blocks[index]!.file}:${blocks[index]!.line}`).not.toContain('urn:causeway:problem');
    const schema = JSON.parse(readFileSync(path.join(repo, 'schema.json'), 'utf8')) as { collections: Array<{ name: string }> };
    expect(schema.collections.map((c) => c.name).sort()).toEqual(['authors', 'posts', 'users']);
  });
});
