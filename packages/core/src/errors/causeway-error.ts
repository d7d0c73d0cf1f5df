import type { FieldIssue } from '@causeway/wire';
import { errorCatalogue, type ErrorCode } from './error-codes.js';

export type { FieldIssue };

export interface CausewayErrorOptions {
  /** Per-field messages, keyed by field path. */
  fields?: Record<string, FieldIssue>;
  /** 0-based character position in a filter or sort expression. */
  position?: number;
  /** Extra machine-readable members safe to show a client. */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error type of Causeway. Its `code` is transport-neutral; only safe members reach clients,
 * the `cause` goes to the log.
 */
export class CausewayError extends Error {
  readonly code: ErrorCode;
  readonly fields: Record<string, FieldIssue> | undefined;
  readonly position: number | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, detail: string, options: CausewayErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CausewayError';
    this.code = code;
    this.fields = options.fields;
    this.position = options.position;
    this.extra = options.extra;
  }

  get status(): number {
    return errorCatalogue[this.code].status;
  }

  get title(): string {
    return errorCatalogue[this.code].title;
  }
}

export function isCausewayError(value: unknown): value is CausewayError {
  return value instanceof CausewayError;
}
