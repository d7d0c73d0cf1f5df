/** One answered request as `GET /api/logs` lists it: no bodies, no headers, no query string. */
export interface RequestLogEntry {
  /** When the response was sent (ISO 8601). */
  time: string;
  /** The `x-request-id` the response carried, to find the request in the JSON log. */
  requestId: string;
  method: string;
  /** The path without its query string: query values can hold secrets (a token, an email in a filter). */
  path: string;
  status: number;
  durationMs: number;
}
