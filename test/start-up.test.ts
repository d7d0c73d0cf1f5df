import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Start-up as a person sees it: the built `causeway` command, on a terminal and not.
const cli = path.resolve('packages/server/dist/cli/main.js');
const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-start-up-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts a command in its own process group and waits for a line of its output to match. */
async function startUntil(command: string, args: string[], pattern: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let output = '';
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no match for ${pattern} in: ${output}`)), 20_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = pattern.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', () => reject(new Error(`exited early: ${output}`)));
  });
  return { child, match, output: () => output };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}

describe('start-up', () => {
  it('prints one readable line with the console URL when standard output is a terminal', async () => {
    // `script` runs the command on a pseudo-terminal, as a shell would.
    const { child, match, output } = await startUntil(
      'script',
      ['-qfec', `${process.execPath} ${cli} serve --port 0 --data-dir ${dataDir}`, '/dev/null'],
      /Causeway \S+ is running at (http:\/\/127\.0\.0\.1:\d+) \| admin console: (\S+) \| API reference: (\S+) \|[^\n]*\n/,
    );
    const [line, base, consoleUrl, reference] = match;
    expect(consoleUrl).toBe(`${base}/_/`);
    expect(reference).toBe(`${base}/api/docs`);
    expect(line).not.toContain('{');
    expect((await fetch(consoleUrl!)).status).toBe(200);
    // The readable line is all there is at start (no JSON start-up entries, Causeway's or Fastify's).
    const startUp = output().split(/\r?\n/).filter((text) => text.trim() !== '' && !text.includes('"reqId"'));
    expect(startUp).toEqual([line.trim()]);
    await stop(child);
  });

  it('keeps JSON logs when standard output is not a terminal, and redirects / to the console', async () => {
    const { child, match, output } = await startUntil(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', dataDir], /listening on (http:\/\/[^\s)"]+)/);
    const base = match[1]!;
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/_/');
    expect((await fetch(`${base}/`)).url).toBe(`${base}/_/`);
    await stop(child);
    const lines = output().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.map((line) => JSON.parse(line).msg)).toContain(`Causeway listening on ${base} (admin console: ${base}/_/, API reference: ${base}/api/docs)`);
  });

  it('says which port is busy and how to choose another, and exits 1 (no bare EADDRINUSE)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = spawnSync(process.execPath, [cli, 'serve', '--port', String(port), '--data-dir', dataDir], { encoding: 'utf8', timeout: 20_000 });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(
        `Port ${port} is already in use (127.0.0.1:${port}): another Causeway or another program is listening there. ` +
          'Choose another port with --port <number> or CAUSEWAY_PORT=<number> (0 picks a free one).\n',
      );
      expect(result.stdout).not.toMatch(/EADDRINUSE|\n\s+at /);
    } finally {
      blocker.close();
    }
  });
});
