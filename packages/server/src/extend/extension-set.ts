import path from 'node:path';
import type { HookErrorEntry as HookError, LoadedHookEntry as LoadedHook } from '@causeway/wire';
import { isCausewayError, type AccountHookRegistration, type AfterCommitRegistration, type CommittedChange, type WriteAction, type WriteHookRegistration } from '@causeway/core';
import { refusal, type Extender, type Extension } from './extender.js';
import { JobRegistry, type JobDefinition } from './jobs.js';
import { RouteRegistry, type CustomRoute } from './routes.js';
import type { SchemaShape } from './schema-types.js';

/** An extension and where it came from (a file's path relative to the hooks directory, or a name given in code). */
export interface ExtensionSource {
  extension: Extension<SchemaShape>;
  source: string;
}

/** A loaded hook, and a hook's failure (not a refusal), as the console lists them. */
export type { LoadedHookEntry as LoadedHook, HookErrorEntry as HookError } from '@causeway/wire';

/** Everything a set of extensions registered, ready to install in one step. */
export interface ExtensionSet {
  recordHooks: WriteHookRegistration[];
  afterCommit: AfterCommitRegistration[];
  accountHooks: AccountHookRegistration[];
  loaded: LoadedHook[];
  /** Custom routes and scheduled jobs: served and scheduled from the start (a reload does not change them). */
  routes: CustomRoute[];
  jobs: JobDefinition[];
}

/**
 * Runs each extension's setup against a recording `Extender`. Nothing is installed here, so a failing setup
 * (or a reload with a broken file) leaves the hooks in force untouched.
 */
export interface CollectOptions {
  /** Told of each hook failure that is not a refusal (the console's list). */
  onFailure?: (failure: HookError) => void;
}

export async function collectExtensions(sources: readonly ExtensionSource[], { onFailure = () => undefined }: CollectOptions = {}): Promise<ExtensionSet> {
  const set: ExtensionSet = { recordHooks: [], afterCommit: [], accountHooks: [], loaded: [], routes: [], jobs: [] };
  const routes = new RouteRegistry();
  const jobs = new JobRegistry();
  const problems: string[] = [];
  for (const { extension, source } of sources) {
    try {
      await extension(recorder(set, source, onFailure, routes, jobs));
    } catch (error) {
      problems.push(describeFailure(error, source));
    }
  }
  const names = new Set<string>();
  for (const hook of set.afterCommit) {
    if (names.has(hook.name)) problems.push(`${hook.source}: another after-commit hook is named '${hook.name}' (give each its own name)`);
    names.add(hook.name);
  }
  if (problems.length > 0) throw new HookFileError(problems);
  set.routes = routes.list();
  set.jobs = jobs.list();
  return set;
}

/** What is wrong with the extensions, one line per problem, each naming its file (and line, where known): `posts.ts:12:5: …`. */
export class HookFileError extends Error {
  constructor(readonly problems: string[]) {
    super(`The extensions could not be loaded:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'HookFileError';
  }
}

/** An error thrown while a file was imported or set up, as `file:line: message` (the line when the stack names it). */
export function describeFailure(error: unknown, source: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const file = path.basename(source).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const line = new RegExp(`${file}:(\\d+)(?::(\\d+))?`).exec(stack);
  return line ? `${source}:${line[1]}: ${message}` : `${source}: ${message}`;
}

function recorder(set: ExtensionSet, source: string, onFailure: (failure: HookError) => void, routes: RouteRegistry, jobs: JobRegistry): Extender<SchemaShape> {
  const afterCommitCount = new Map<string, number>();
  /** Checks a registration, lists it, and has its failures (not its refusals) reported. */
  const add = <E>(kind: string, collection: string, run: unknown): ((event: E) => void | Promise<void>) => {
    if (typeof collection !== 'string' || collection === '') throw new TypeError(`${kind}: the first argument must be a collection name or '*'`);
    if (typeof run !== 'function') throw new TypeError(`${kind}: the hook must be a function`);
    set.loaded.push({ kind, collection, source });
    return observed(run as (event: E) => void | Promise<void>, (error) => onFailure({ at: new Date().toISOString(), kind, collection, message: error instanceof Error ? error.message : String(error) }));
  };
  const record = (phase: 'before' | 'after', action: WriteAction) => (collection: string, run: unknown) => {
    const kind = `${phase}${capital(action)}`;
    set.recordHooks.push({ phase, action, collection, run: add(kind, collection, run), source: `${source} ${kind}(${collection})` } as WriteHookRegistration);
  };
  const account = (kind: 'beforeSignUp' | 'afterSignIn') => (collection: string, run: unknown) => {
    set.accountHooks.push({ kind, collection, run: add(kind, collection, run), source: `${source} ${kind}(${collection})` } as AccountHookRegistration);
  };
  return {
    beforeCreate: record('before', 'create'),
    beforeUpdate: record('before', 'update'),
    beforeDelete: record('before', 'delete'),
    afterCreate: record('after', 'create'),
    afterUpdate: record('after', 'update'),
    afterDelete: record('after', 'delete'),
    afterCommit(collection: string, run: unknown, options: { name?: string } = {}) {
      const observedRun = add<CommittedChange>('afterCommit', collection, run);
      const ordinal = (afterCommitCount.get(collection) ?? 0) + 1;
      afterCommitCount.set(collection, ordinal);
      const name = options.name ?? `${source}#${collection}#${ordinal}`;
      set.afterCommit.push({ name, collection, run: observedRun, source: `${source} afterCommit(${collection})` });
    },
    beforeSignUp: account('beforeSignUp'),
    afterSignIn: account('afterSignIn'),
    beforeMail(run: unknown) {
      set.accountHooks.push({ kind: 'beforeMail', run: add('beforeMail', '*', run), source: `${source} beforeMail` });
    },
    refuse: refusal,
    route: (method: string, path: string, options: unknown, handler: unknown) => routes.add(method, path, options as Parameters<RouteRegistry['add']>[2], handler as CustomRoute['handler']),
    cron: (name: string, pattern: string, job: unknown) => jobs.add(name, pattern, job as JobDefinition['handler']),
  } as unknown as Extender<SchemaShape>;
}

/**
 * `run`, telling `note` of each failure that is not a refusal. A hook that returns at once costs no promise, so
 * observing stays out of the write's cost.
 */
function observed<E>(run: (event: E) => void | Promise<void>, note: (error: unknown) => void): (event: E) => void | Promise<void> {
  const failed = (error: unknown): never => {
    if (!isCausewayError(error)) note(error);
    throw error;
  };
  return (event) => {
    try {
      const result = run(event);
      return typeof (result as PromiseLike<void> | undefined)?.then === 'function' ? Promise.resolve(result).catch(failed) : result;
    } catch (error) {
      return failed(error);
    }
  };
}

function capital(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}
