import { CausewayError } from '../../packages/core/src/errors/causeway-error.js';

/** Runs `work`, which must throw a CausewayError, and returns that error for assertions. */
export function causewayErrorOf(work: () => unknown): CausewayError {
  try {
    work();
  } catch (error) {
    if (error instanceof CausewayError) return error;
    throw error;
  }
  throw new Error('expected a CausewayError, but nothing was thrown');
}
