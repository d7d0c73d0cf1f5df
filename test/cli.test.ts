import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The CLI is tested as users run it: the built `causeway` command (npm test builds first).
const cli = path.resolve('packages/server/dist/cli/main.js');
const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function causeway(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, CAUSEWAY_DATA_DIR: dataDir } });
}

describe('the causeway command', () => {
  it('prints help listing its commands', () => {
    const result = causeway('--help');
    expect(result.status).toBe(0);
    for (const command of ['serve', 'schema']) expect(result.stdout).toContain(command);
  });

  it('imports a schema file idempotently and exports it back', () => {
    const file = path.join(dataDir, 'schema.json');
    const document = {
      version: 1,
      collections: [
        { name: 'tags', fields: [{ name: 'label', type: 'text', required: true }] },
        { name: 'items', fields: [{ name: 'tag', type: 'relation', collection: 'tags' }] },
      ],
    };
    writeFileSync(file, JSON.stringify(document));
    const first = causeway('schema', 'import', file);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('created: tags, items');
    const exported = causeway('schema', 'export');
    expect(exported.status).toBe(0);
    const schema = JSON.parse(exported.stdout);
    expect(schema.collections.map((c: { name: string }) => c.name)).toEqual(['items', 'tags']);
    writeFileSync(file, exported.stdout);
    const second = causeway('schema', 'import', file);
    expect(second.stdout).toContain('unchanged: items, tags');
    expect(JSON.parse(causeway('schema', 'export').stdout)).toEqual(schema);
  });

  it('fails clearly on a bad schema file and on bad configuration', () => {
    const file = path.join(dataDir, 'broken.json');
    writeFileSync(file, '{"collections": [{"name": "bad name"}]}');
    const broken = causeway('schema', 'import', file);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('INVALID_SCHEMA');
    const badPort = causeway('serve', '--port', 'eighty');
    expect(badPort.status).toBe(1);
    expect(badPort.stderr).toContain('port');
  });

  it('serves, then stops cleanly on SIGTERM after finishing in-flight work', async () => {
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/[^\s)"]+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', () => reject(new Error(`exited early: ${output}`)));
    });
    const health = await fetch(`${address}/api/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(output).toContain('shutting down');
    expect(readFileSync(path.join(dataDir, 'data.db')).length).toBeGreaterThan(0);
  });
});
