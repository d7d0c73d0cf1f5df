import type { ErrorCode } from '@causeway/wire';

export type { ErrorCode };

/**
 * The error catalogue: every failure a client can see has one stable code here.
 * Surfaces map the code to their own transport (REST status, GraphQL extensions.code, a realtime error frame);
 * `docs/rest.md` lists the same codes and a test keeps the two in sync. The codes themselves are named once, in
 * `@causeway/wire` (what clients see), and this object must hold exactly those.
 */
export const errorCatalogue = {
  BAD_REQUEST: { status: 400, title: 'Bad request' },
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON body' },
  INVALID_FILTER: { status: 400, title: 'Invalid filter' },
  INVALID_SORT: { status: 400, title: 'Invalid sort' },
  INVALID_CURSOR: { status: 400, title: 'Invalid cursor' },
  INVALID_QUERY: { status: 400, title: 'Invalid query parameter' },
  INVALID_SCHEMA: { status: 400, title: 'Invalid collection definition' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  INVALID_TOKEN: { status: 401, title: 'Invalid or expired token' },
  INVALID_CREDENTIALS: { status: 401, title: 'Wrong email or password' },
  MFA_REQUIRED: { status: 401, title: 'A second factor is required' },
  MFA_SETUP_REQUIRED: { status: 403, title: 'A second factor must be set up' },
  OAUTH_FAILED: { status: 400, title: 'Sign-in with the provider failed' },
  EMAIL_NOT_VERIFIED: { status: 403, title: 'The provider did not verify the email' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  NO_ADMIN: { status: 403, title: 'No admin account exists yet' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  COLLECTION_NOT_FOUND: { status: 404, title: 'Collection not found' },
  RECORD_NOT_FOUND: { status: 404, title: 'Record not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  NOT_ACCEPTABLE: { status: 406, title: 'Not acceptable' },
  COLLECTION_EXISTS: { status: 409, title: 'Collection already exists' },
  UNIQUE_VIOLATION: { status: 409, title: 'Unique constraint violated' },
  RELATION_RESTRICT: { status: 409, title: 'Record is still referenced' },
  CONFIRMATION_REQUIRED: { status: 409, title: 'Destructive change needs confirmation' },
  SCHEMA_CONFLICT: { status: 409, title: 'Existing data does not fit the new schema' },
  LAST_ADMIN: { status: 409, title: 'The last admin cannot be deleted' },
  CONFLICT: { status: 409, title: 'Conflicts with the current state' },
  LAST_SIGN_IN_METHOD: { status: 409, title: 'The last way to sign in cannot be removed' },
  REQUEST_TIMEOUT: { status: 408, title: 'Request timeout' },
  PRECONDITION_FAILED: { status: 412, title: 'Precondition failed' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  RANGE_NOT_SATISFIABLE: { status: 416, title: 'Range not satisfiable' },
  URI_TOO_LONG: { status: 414, title: 'URI too long' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  VALIDATION_FAILED: { status: 422, title: 'Validation failed' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  HEADERS_TOO_LARGE: { status: 431, title: 'Request headers too large' },
  INTERNAL: { status: 500, title: 'Internal error' },
  OAUTH_PROVIDER_UNAVAILABLE: { status: 502, title: 'The sign-in provider is unavailable' },
  SHUTTING_DOWN: { status: 503, title: 'Shutting down' },
  STORAGE_FULL: { status: 503, title: 'Storage full' },
  // Exactly the wire's codes: one missing here, or one the wire does not name, fails the build.
} as const satisfies Record<ErrorCode, { status: number; title: string }>;

export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];
