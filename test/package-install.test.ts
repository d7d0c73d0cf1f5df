import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * The packages as a user gets them, without publishing: `npm pack` the wire types, the core, the server (with the
 * console bundled) and the client, install the tarballs into an empty directory outside the repository, run `npx causeway serve`
 * there, and build a small TypeScript app against the packed client and the types the packed CLI generates.
 *
 * The install reaches only the npm registry (mostly through the local npm cache: --prefer-offline). The one thing a
 * user's install downloads from elsewhere is better-sqlite3's prebuilt binary, which this machine cannot fetch; so
 * the test hands prebuild-install this checkout's own build through its documented "local prebuilds" setting, as
 * the download would, instead of compiling SQLite again (over a minute here). The app pins better-sqlite3 to the
 * version that build is of.
 */

const repo = path.resolve('.');
const work = mkdtempSync(path.join(tmpdir(), 'causeway-install-'));
const app = path.join(work, 'app');
let server: ChildProcess | undefined;
afterAll(async () => {
  if (server?.pid && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.on('exit', resolve));
    process.kill(-server.pid, 'SIGTERM');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
}, 60_000);

/** The environment of a user's shell: none of the npm_* settings of the `npm test` that may have started us. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return { ...env, ...extra };
}

function run(command: string, args: string[], cwd: string, env = userEnv(), timeout = 120_000): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

const timings: Record<string, number> = {};
function timed<T>(label: string, action: () => T): T {
  const started = performance.now();
  try {
    return action();
  } finally {
    timings[label] = Math.round(performance.now() - started);
  }
}

describe('the packed packages, installed outside the repository', () => {
  it('install from their tarballs, serve the API and the console with `npx causeway serve`, and type an app', { timeout: 180_000 }, async () => {
    // 1. Pack. prepack refuses a package whose build is missing, so these are what `npm run build` made.
    const tarballs = path.join(work, 'tarballs');
    mkdirSync(tarballs);
    const packed = JSON.parse(timed('pack', () => run('npm', ['pack', '--json', '--pack-destination', tarballs, '-w', 'packages/wire', '-w', 'packages/core', '-w', 'packages/server', '-w', 'packages/client'], repo)).stdout) as Array<{
      name: string;
      filename: string;
      files: Array<{ path: string }>;
    }>;
    expect(packed.map((p) => p.name).sort()).toEqual(['@causeway/client', '@causeway/core', '@causeway/server', '@causeway/wire']);
    // The wire types are declarations only: the client needs them to type-check, never to run.
    expect(packed.find((p) => p.name === '@causeway/wire')!.files.map((f) => f.path).filter((f) => f.endsWith('.js'))).toEqual([]);
    const serverFiles = packed.find((p) => p.name === '@causeway/server')!.files.map((f) => f.path);
    expect(serverFiles).toContain('bin/causeway.js');
    expect(serverFiles).toContain('console-app/index.html');
    expect(serverFiles.some((f) => f.endsWith('.test.js'))).toBe(false);

    // 2. A prebuilt better-sqlite3 binary, as prebuild-install would have downloaded it.
    const sqlite = JSON.parse(readFileSync(path.join(repo, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string };
    const prebuilds = path.join(work, 'prebuilds');
    mkdirSync(prebuilds);
    const prebuild = `better-sqlite3-v${sqlite.version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
    run('tar', ['-czf', path.join(prebuilds, prebuild), '-C', path.join(repo, 'node_modules/better-sqlite3'), 'build/Release/better_sqlite3.node'], repo);

    // 3. Install into an empty app.
    mkdirSync(path.join(app, 'src'), { recursive: true });
    writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'first-day-app', private: true, type: 'module', overrides: { 'better-sqlite3': sqlite.version } }, null, 2),
    );
    const nodeTypes = JSON.parse(readFileSync(path.join(repo, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string };
    const install = timed('install', () =>
      run(
        'npm',
        ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packed.map((p) => path.join(tarballs, p.filename)), `@types/node@${nodeTypes.version}`],
        app,
        // swagger-ui-dist's telemetry dependency would try the network at install.
        userEnv({ npm_config_better_sqlite3_local_prebuilds: prebuilds, SCARF_ANALYTICS: 'false' }),
      ),
    );
    // The prebuilt binary was used: nothing was compiled.
    expect(install.stdout + install.stderr).not.toMatch(/gyp info/);
    const installed = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(installed.dependencies).sort()).toEqual(['@causeway/client', '@causeway/core', '@causeway/server', '@causeway/wire', '@types/node']);

    // 4. Serve from the app's directory. `--no`: never fall back to a registry package of the same command name.
    server = spawn('npx', ['--no', 'causeway', 'serve', '--port', '0', '--data-dir', 'data'], { cwd: app, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const started = performance.now();
    let output = '';
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not listening: ${output}`)), 30_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/[^\s)"]+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      server!.stdout!.on('data', read);
      server!.stderr!.on('data', read);
      server!.on('exit', () => reject(new Error(`exited early: ${output}`)));
    });
    timings.serve = Math.round(performance.now() - started);
    expect(await (await fetch(`${base}/api/health`)).json()).toEqual({ status: 'ok' });
    const consolePage = await fetch(`${base}/_/`);
    expect(consolePage.status).toBe(200);
    expect(consolePage.headers.get('content-type')).toContain('text/html');
    expect(await consolePage.text()).toMatch(/<script[^>]+src="[^"]+\.js"/);
    expect((await fetch(`${base}/`, { redirect: 'manual' })).headers.get('location')).toBe('/_/');

    // 5. A small app on the packed client, typed by the packed CLI's `causeway types`, checked by tsc and run.
    run('npx', ['--no', 'causeway', 'types', '--data-dir', 'data', '--out', 'src/causeway-types.ts'], app);
    writeFileSync(
      path.join(app, 'src/app.ts'),
      `import { CausewayError, createClient } from '@causeway/client';
import type { Schema } from './causeway-types.js';

const client = createClient<Schema>(process.argv[2]!);
await client.auth.signUp({ email: 'ann@example.com', password: 'a long passphrase', name: 'Ann' });
const { items } = await client.collection('users').list({ fields: ['name'], sort: '-created' });
const names: Array<string | null> = items.map((user) => user.name);
// @ts-expect-error a collection the schema does not have
client.collection('userz');
// @ts-expect-error a sort by a field the schema does not have (compiled, never run)
export const misspelled = () => client.collection('users').list({ sort: '-nmae' });
try {
  await client.collection('users').get('missing');
} catch (error) {
  // Problem codes are the server's catalogue, typed through the packed @causeway/wire.
  if (error instanceof CausewayError && error.code === 'RECORD_NOT_FOUND') console.error(error.code);
}
console.log(JSON.stringify(names));
`,
    );
    writeFileSync(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022', 'dom'], types: ['node'], outDir: 'out', rootDir: 'src' },
        include: ['src'],
      }),
    );
    timed('tsc', () => run(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app));
    const result = run(process.execPath, ['out/app.js', base], app);
    expect(JSON.parse(result.stdout)).toEqual(['Ann']);

    console.info(`pack-and-install timings (ms): ${JSON.stringify(timings)}`);
  });
});
