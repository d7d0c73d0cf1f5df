import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The Node.js versions Causeway claims (docs/operations.md, "Node.js versions"), and the dependency set held to them.
const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean };
const claimed = '^20.19.0 || >=22.12.0';
/** The lowest version of each claimed line: what every dependency must accept. */
const floors = ['20.19.0', '22.12.0'];
/** ES-module-only packages that declare Node 22 but load on 20.19+ through require(esm); documented, and npm warns. */
const declaredNode22 = new Set(['content-disposition', 'cookie']);

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { engines?: { node?: string } };

describe('Node.js versions', () => {
  it('claims one range in every package that runs on Node, and runs on it here', () => {
    for (const file of ['package.json', 'packages/core/package.json', 'packages/server/package.json']) expect(json(file).engines?.node, file).toBe(claimed);
    expect(semver.satisfies(process.versions.node, claimed)).toBe(true);
  });

  it('holds every dependency in the lock file to the claimed range (but the two documented ones)', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { version?: string; optional?: boolean; engines?: { node?: string } | string[] }> };
    const refusing: string[] = [];
    for (const [where, entry] of Object.entries(lock.packages)) {
      const range = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
      const name = where.replace(/^.*node_modules\//, '');
      // Optional packages are other platforms' binaries (wasm, other CPUs), not installed here.
      if (!range || !where.includes('node_modules/') || entry.optional) continue;
      const needs = floors.filter((floor) => !semver.satisfies(floor, range));
      if (needs.length === 0) continue;
      if (declaredNode22.has(name) && needs.length === 1 && needs[0] === '20.19.0') continue;
      refusing.push(`${name}@${entry.version} (node ${range})`);
    }
    expect(refusing).toEqual([]);
  });

  it('lets npm run in the checkout without warning about unknown settings', () => {
    const result = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8', env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))) });
    expect(result.status).toBe(0);
    expect(result.stderr).not.toMatch(/Unknown (project|env|user|builtin) config/);
  });

  it("tells better-sqlite3's installer to build from source in the checkout (prebuild-install's own rc file)", () => {
    const result = spawnSync(process.execPath, ['-e', "console.log(require('prebuild-install/rc')(require('./package.json')).buildFromSource)"], {
      cwd: 'node_modules/better-sqlite3',
      encoding: 'utf8',
      env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_config_build/i.test(name))),
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('true');
  });
});
