import { CausewayError } from '@causeway/core';

/**
 * The database's disk is full. Nothing was written (the transaction rolled back), and the database is unharmed:
 * the same request succeeds once space is back, without a restart. 503, so clients and proxies retry.
 */
export function storageFullError(cause: unknown): CausewayError {
  return new CausewayError('STORAGE_FULL', 'The database has no space left; nothing was written. Retry once an operator has freed space.', { cause });
}

/** A value the database refused as such (a type it cannot convert, a size beyond its limits): the client's doing. */
export function unstorableValueError(cause: unknown, reason: string): CausewayError {
  return new CausewayError('BAD_REQUEST', `The database cannot take a value in this request: ${reason}.`, { cause });
}
