import type { z } from 'zod';
import { CausewayError, type FieldIssue } from './causeway-error.js';
import type { ErrorCode } from './error-codes.js';

/** Turns a zod failure into the one error type, one message per input path. */
export function fromZodError(code: ErrorCode, detail: string, error: z.ZodError): CausewayError {
  const fields: Record<string, FieldIssue> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '(root)';
    fields[key] ??= { code: issue.code, message: issue.message };
  }
  return new CausewayError(code, detail, { fields });
}
