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
export async function runHook<E>(hook: { run: (event: E) => void | Promise<void>; source: string }, event: E): Promise<void> {
  try {
    await hook.run(event);
  } catch (error) {
    if (isCausewayError(error) || error instanceof HookFailure) throw error;
    throw new HookFailure(hook.source, error);
  }
}
