import { isCausewayError } from '../errors/causeway-error.js';

/** Why a hook failed, naming it; not a CausewayError, so surfaces answer 500 and log it with the request id. */
export class HookFailure extends Error {
  constructor(readonly hook: string, cause: unknown) {
    super(`hook ${hook} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'HookFailure';
  }
}

/**
 * Runs one hook. A CausewayError it throws is its answer to the client (a refusal); anything else is a bug in the
 * hook, reported as a HookFailure that names it.
 */
export function runHook<E>(hook: { run: (event: E) => void | Promise<void>; source: string }, event: E): void | Promise<void> {
  const explain = (error: unknown): never => {
    if (isCausewayError(error) || error instanceof HookFailure) throw error;
    throw new HookFailure(hook.source, error);
  };
  try {
    const result = hook.run(event);
    // A hook that returned at once costs no promise (most before-hooks that only change `data`).
    return isThenable(result) ? Promise.resolve(result).catch(explain) : undefined;
  } catch (error) {
    return explain(error);
  }
}

function isThenable(value: unknown): value is PromiseLike<void> {
  return typeof (value as PromiseLike<void> | undefined)?.then === 'function';
}
