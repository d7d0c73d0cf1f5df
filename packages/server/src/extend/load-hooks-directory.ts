import { existsSync, readdirSync, rmSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Message, type Plugin } from 'esbuild';
import { isExtension, type Extension } from './extender.js';
import type { SchemaShape } from './schema-types.js';
import { describeFailure, HookFileError, type ExtensionSource } from './extension-set.js';

/** Files loaded from a hooks directory: TypeScript or JavaScript modules at its top level (helpers go in subdirectories). */
const extensionFile = /^(?!_).+(?<!\.d)\.(ts|mts|js|mjs)$/;

/**
 * Loads every extension file of `dir`: each is bundled with esbuild (TypeScript, its own imports; Causeway's
 * packages stay the running server's), imported, and must default-export `defineExtension(…)`. A file that exports
 * nothing at run time (the types `causeway types` writes) is skipped. Every problem of every file is reported at
 * once; nothing is returned unless all load.
 */
export async function loadHooksDirectory(dir: string): Promise<ExtensionSource[]> {
  const files = readdirSync(dir).filter((name) => extensionFile.test(name) && statSync(path.join(dir, name)).isFile()).sort();
  const problems: string[] = [];
  const loaded: ExtensionSource[] = [];
  // Stack traces of a hook point into its own source, not the bundle.
  process.setSourceMapsEnabled(true);
  const scratch = mkdtempSync(path.join(tmpdir(), 'causeway-hooks-'));
  try {
    for (const name of files) {
      try {
        const extension = await loadFile(path.join(dir, name), name, scratch);
        if (extension) loaded.push({ extension, source: name });
      } catch (error) {
        problems.push(...(error instanceof HookFileError ? error.problems : [describeFailure(error, name)]));
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (problems.length > 0) throw new HookFileError(problems);
  return loaded;
}

/** Whether `dir` holds hooks to load: it must exist when the operator named it. */
export function hooksDirectoryExists(dir: string, explicit: boolean): boolean {
  if (existsSync(dir) && statSync(dir).isDirectory()) return true;
  if (explicit) throw new HookFileError([`${dir}: no such directory (given with --hooks / CAUSEWAY_HOOKS)`]);
  return false;
}

let generation = 0;

async function loadFile(file: string, name: string, scratch: string): Promise<Extension<SchemaShape> | undefined> {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: [causewayPackages],
    // Bundled CommonJS dependencies may call require() for Node's built-ins.
    banner: { js: "import { createRequire as __causewayRequire } from 'node:module'; const require = __causewayRequire(import.meta.url);" },
  }).catch((error: unknown) => {
    const errors = (error as { errors?: Message[] }).errors;
    if (errors) throw new HookFileError(errors.map((message) => located(message, name, file)));
    throw error;
  });
  const output = result.outputFiles[0]!;
  const exports = Object.values(result.metafile.outputs)[0]?.exports ?? [];
  if (exports.length === 0) return undefined;
  if (!exports.includes('default')) throw new HookFileError([`${name}: must default-export defineExtension(…) (it exports ${exports.join(', ')})`]);
  // A fresh name per load, so a reload imports the new code, not the module cached under the old name.
  const bundled = path.join(scratch, `${path.basename(name).replace(/\W/g, '_')}-${(generation += 1)}.mjs`);
  writeFileSync(bundled, output.text);
  const module = (await import(pathToFileURL(bundled).href)) as { default?: unknown };
  return extensionOf(module.default, name);
}

function extensionOf(value: unknown, name: string): Extension<SchemaShape> {
  if (!isExtension(value)) throw new HookFileError([`${name}: the default export must be defineExtension(…) from '@causeway/server'`]);
  return value;
}

/** `@causeway/server` and `@causeway/core` are the running server's own modules, never a second copy. */
const causewayPackages: Plugin = {
  name: 'causeway-packages',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@causeway\/(server|core)$/ }, (args) => ({
      path: pathToFileURL(args.path === '@causeway/server' ? serverEntry() : createRequire(import.meta.url).resolve('@causeway/core')).href,
      external: true,
    }));
  },
};

/** This package's entry: beside this file once built; the built one when running from source (tests). */
function serverEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const built = path.join(here, '..', 'index.js');
  return existsSync(built) ? built : path.join(here, '..', '..', 'dist', 'index.js');
}

function located(message: Message, name: string, file: string): string {
  const where = message.location;
  const at = where ? `${where.file === file || path.resolve(where.file) === file ? name : where.file}:${where.line}:${where.column + 1}` : name;
  return `${at}: ${message.text}`;
}
