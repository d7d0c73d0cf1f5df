import type { ErrorCode } from './error-code.js';

/** A message about one input field, keyed by its path (`title`, `fields.2.name`, `operations.3.data.email`). */
export interface FieldIssue {
  code: string;
  message: string;
  /** 0-based character position, when the field holds an expression (a rule). */
  position?: number;
}

/**
 * An error as every surface sends it: an RFC 9457 problem (REST's body, realtime's `error` message). `code` is the
 * stable machine-readable name; `errors` holds per-field messages; extensions such as `retryAfter` may follow.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  errors?: Record<string, FieldIssue>;
  /** 0-based character position in a filter or sort expression. */
  position?: number;
  [extension: string]: unknown;
}
