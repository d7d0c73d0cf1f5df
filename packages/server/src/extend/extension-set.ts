import path from 'node:path';
import type { AccountHookRegistration, AfterCommitRegistration, WriteAction, WriteHookRegistration } from '@causeway/core';
import { refusal, type AnySchema, type Extender, type Extension } from './extender.js';

/** An extension and where it came from (a file's path relative to the hooks directory, or a name given in code). */
export interface ExtensionSource {
  extension: Extension;
  source: string;
}

/** Everything a set of extensions registered, ready to install in one step. */
export interface ExtensionSet {
  recordHooks: WriteHookRegistration[];
  afterCommit: AfterCommitRegistration[];
  accountHooks: AccountHookRegistration[];
}

/**
 * Runs each extension's setup against a recording `Extender`. Nothing is installed here, so a failing setup
 * (or a reload with a broken file) leaves the hooks in force untouched.
 */
export async function collectExtensions(sources: readonly ExtensionSource[]): Promise<ExtensionSet> {
  const set: ExtensionSet = { recordHooks: [], afterCommit: [], accountHooks: [] };
  const problems: string[] = [];
  for (const { extension, source } of sources) {
    try {
      await extension.setup(recorder(set, source));
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
  return set;
}

/** What is wrong with the extensions, one line per problem, each naming its file (and line, where known): `posts.ts:12:5: …`. */
export class HookFileError extends Error {
  constructor(readonly problems: string[]) {
    super(`The hooks could not be loaded:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
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

function recorder(set: ExtensionSet, source: string): Extender<AnySchema> {
  const afterCommitCount = new Map<string, number>();
  const record = (phase: 'before' | 'after', action: WriteAction) => (collection: string, run: (event: never) => void | Promise<void>) => {
    checkCollection(collection, `${phase}${capital(action)}`);
    checkHook(run, `${phase}${capital(action)}`);
    set.recordHooks.push({ phase, action, collection, run, source: `${source} ${phase}${capital(action)}(${collection})` } as WriteHookRegistration);
  };
  const account = (kind: 'beforeSignUp' | 'afterSignIn') => (collection: string, run: (event: never) => void | Promise<void>) => {
    checkCollection(collection, kind);
    checkHook(run, kind);
    set.accountHooks.push({ kind, collection, run, source: `${source} ${kind}(${collection})` } as AccountHookRegistration);
  };
  return {
    beforeCreate: record('before', 'create'),
    beforeUpdate: record('before', 'update'),
    beforeDelete: record('before', 'delete'),
    afterCreate: record('after', 'create'),
    afterUpdate: record('after', 'update'),
    afterDelete: record('after', 'delete'),
    afterCommit(collection, run, options = {}) {
      checkCollection(collection, 'afterCommit');
      checkHook(run, 'afterCommit');
      const ordinal = (afterCommitCount.get(collection) ?? 0) + 1;
      afterCommitCount.set(collection, ordinal);
      const name = options.name ?? `${source}#${collection}#${ordinal}`;
      set.afterCommit.push({ name, collection, run, source: `${source} afterCommit(${collection})` });
    },
    beforeSignUp: account('beforeSignUp'),
    afterSignIn: account('afterSignIn'),
    beforeMail(run) {
      checkHook(run, 'beforeMail');
      set.accountHooks.push({ kind: 'beforeMail', run, source: `${source} beforeMail` });
    },
    refuse: refusal,
  } as Extender<AnySchema>;
}

function checkCollection(collection: unknown, method: string): void {
  if (typeof collection !== 'string' || collection === '') throw new TypeError(`${method}: the first argument must be a collection name or '*'`);
}

function checkHook(run: unknown, method: string): void {
  if (typeof run !== 'function') throw new TypeError(`${method}: the hook must be a function`);
}

function capital(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}
