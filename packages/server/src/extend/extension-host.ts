import { watch, type FSWatcher } from 'node:fs';
import type { AccountHooks, AfterCommitRunner, WriteHooks } from '@causeway/core';
import { collectExtensions, type ExtensionSet, type ExtensionSource, type HookError, type LoadedHook } from './extension-set.js';
import { loadHooksDirectory } from './load-hooks-directory.js';

/** How many hook failures are kept for the console. */
const keptErrors = 50;

export interface ExtensionHostDeps {
  recordHooks: WriteHooks;
  accountHooks: AccountHooks;
  afterCommit: AfterCommitRunner;
  log: { info(message: string): void; error(error: unknown, message: string): void };
}

/**
 * Installs extensions: the hooks directory's files and those given in code (library mode), always as one set,
 * so a reload replaces every hook at once or, when anything fails, none.
 */
export class ExtensionHost {
  private watcher: FSWatcher | undefined;
  private reloading: Promise<void> = Promise.resolve();
  private loaded: readonly LoadedHook[] = [];
  /** The routes and jobs the server started with (`routesAndJobs`): served until the next start. */
  private served: string | undefined;
  private readonly errors: HookError[] = [];

  constructor(
    private readonly deps: ExtensionHostDeps,
    /** Extensions given in code: kept across reloads of the directory. */
    private readonly given: readonly ExtensionSource[],
  ) {}

  /** Loads `dir` (if any) with the given extensions and installs them all; throws, installing nothing, on any problem. */
  async install(dir: string | undefined): Promise<void> {
    const set = await this.collect(dir);
    if (this.served !== undefined && routesAndJobs(set) !== this.served) this.deps.log.info('custom routes and scheduled jobs change at the next start; the hooks were reloaded');
    await this.activate(set);
  }

  /** What `dir` (if any) and the given extensions register, installing nothing: throws on any problem. */
  async collect(dir: string | undefined): Promise<ExtensionSet> {
    const fromFiles = dir === undefined ? [] : await loadHooksDirectory(dir);
    const onFailure = (failure: HookError) => {
      this.errors.push(failure);
      if (this.errors.length > keptErrors) this.errors.shift();
    };
    return collectExtensions([...this.given, ...fromFiles], { onFailure });
  }

  /** Puts a collected set's hooks in force, replacing the previous ones (its routes and jobs the server serves itself). */
  async activate(set: ExtensionSet): Promise<void> {
    this.served ??= routesAndJobs(set);
    // Positions are registered first: if that fails, the hooks in force stay as they were.
    await this.deps.afterCommit.replace(set.afterCommit);
    this.deps.recordHooks.replace(set.recordHooks);
    this.deps.accountHooks.replace(set.accountHooks);
    this.loaded = set.loaded;
  }

  /** The hooks in force, for the console (`GET /api/extensions`). */
  hooks(): readonly LoadedHook[] {
    return this.loaded;
  }

  /** The newest hook failures (not refusals), newest first. */
  recentErrors(): readonly HookError[] {
    return [...this.errors].reverse();
  }

  /** Development: reloads `dir` when a file in it changes; a broken file is logged and the previous hooks stay. */
  watch(dir: string): void {
    let timer: NodeJS.Timeout | undefined;
    this.watcher = watch(dir, () => {
      clearTimeout(timer);
      // Editors write a file in several steps: reload once it has settled.
      timer = setTimeout(() => {
        this.reloading = this.reloading.then(() =>
          this.install(dir).then(
            () => this.deps.log.info(`hooks reloaded from ${dir}`),
            (error: unknown) => this.deps.log.error(error, `hooks not reloaded (the previous ones stay in force): ${error instanceof Error ? error.message : String(error)}`),
          ),
        );
      }, 100);
    });
  }

  async close(): Promise<void> {
    this.watcher?.close();
    await this.reloading;
    await this.deps.afterCommit.stop();
  }
}

/** What a set's routes and jobs are, as text to compare: method and path of each route, name and pattern of each job. */
function routesAndJobs(set: ExtensionSet): string {
  return JSON.stringify([set.routes.map((r) => `${r.method} ${r.path}`), set.jobs.map((j) => `${j.name} ${j.pattern}`)]);
}
