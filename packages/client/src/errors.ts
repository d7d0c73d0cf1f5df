import type { ErrorCode, FieldIssue, Problem } from '@causeway/wire';

/** A server problem (RFC 9457), its stable codes, and a per-field message: the server's own wire types. */
export type { ErrorCode, FieldIssue, Problem };

/** Every error the server reports; `code` is one of the server's stable problem codes (`ErrorCode`). */
export class CausewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = new.target.name;
    this.code = problem.code;
    this.status = problem.status;
    this.problem = problem;
  }

  /** Per-field messages (validation errors, invalid rules), keyed by field path. */
  get fields(): Record<string, FieldIssue> {
    return this.problem.errors ?? {};
  }
}

/** 422: the record does not fit; `fields` says why, per field. */
export class ValidationError extends CausewayError {}
/** 400: a filter, sort, query parameter or definition the server cannot use; `position` for expressions. */
export class BadRequestError extends CausewayError {
  get position(): number | undefined {
    return this.problem.position;
  }
}
/** 401: not signed in, or the token is invalid or expired (the client refreshes once by itself first). */
export class UnauthorizedError extends CausewayError {}
/** 403: a rule (or admins-only) refuses this. */
export class ForbiddenError extends CausewayError {}
/** 404: no such record or collection (or one you may not see). */
export class NotFoundError extends CausewayError {}
/** 409: a unique value is taken, a record is still referenced, or a change needs confirmation. */
export class ConflictError extends CausewayError {}
/** 412: the record changed since the version given as `ifMatch`. */
export class PreconditionFailedError extends CausewayError {}
/** 429: too many attempts; retry after `retryAfter` seconds. */
export class RateLimitedError extends CausewayError {
  get retryAfter(): number {
    return Number(this.problem.retryAfter ?? 0);
  }
}
/** The network failed, or the server answered something that is not a problem document. */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

const byStatus: Record<number, new (problem: Problem) => CausewayError> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  412: PreconditionFailedError,
  422: ValidationError,
  429: RateLimitedError,
};

/** The typed error for a problem document. */
export function errorFromProblem(problem: Problem): CausewayError {
  const ErrorClass = byStatus[problem.status] ?? CausewayError;
  return new ErrorClass(problem);
}
