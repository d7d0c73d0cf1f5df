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

/** Asserts a filter error: its code, the character position and a piece of its message. */
export function expectFilterError(error: CausewayError, position: number, message: string): void {
  if (error.code !== 'INVALID_FILTER') throw new Error(`expected INVALID_FILTER, got ${error.code}: ${error.message}`);
  if (error.position !== position) throw new Error(`expected position ${position}, got ${error.position}: ${error.message}`);
  if (!error.message.includes(message)) throw new Error(`expected '${error.message}' to contain '${message}'`);
  if (!error.message.includes(`character ${position}`)) throw new Error(`expected '${error.message}' to name character ${position}`);
}
