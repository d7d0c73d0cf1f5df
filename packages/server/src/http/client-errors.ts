import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { CausewayError, type ErrorCode } from '@causeway/core';
import { problemContentType, toProblem } from '../rest/problem.js';

/** What Node's HTTP parser reports about a request it could not read (the `clientError` event's error). */
interface ParseError extends Error {
  code?: string;
  /** The bytes received so far (a Buffer; Fastify's types describe it as serialised). */
  rawPacket?: unknown;
}

/**
 * The Causeway error for a request Node's parser refused before Fastify saw it. Node reports a request line too
 * long and headers too large alike (HPE_HEADER_OVERFLOW: they share one limit, `--max-http-header-size`), so the
 * bytes received tell them apart: no line break yet means the request line itself overflowed (414).
 */
export function parseErrorOf(error: ParseError): CausewayError {
  const as = (code: ErrorCode, detail: string) => new CausewayError(code, detail, { cause: error });
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return Buffer.isBuffer(error.rawPacket) && !error.rawPacket.includes('\r\n')
        ? as('URI_TOO_LONG', 'The request line is longer than the server reads.')
        : as('HEADERS_TOO_LARGE', 'The request headers are larger than the server reads.');
    case 'HPE_URI_TOO_LONG':
      return as('URI_TOO_LONG', 'The request line is longer than the server reads.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return as('REQUEST_TIMEOUT', 'The request was not received in time.');
    case 'HPE_INVALID_METHOD':
      return as('BAD_REQUEST', 'The request method is not one HTTP defines.');
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return as('BAD_REQUEST', 'The Content-Length header is malformed.');
    default:
      return as('BAD_REQUEST', 'The request is not well-formed HTTP/1.1.');
  }
}

/**
 * Answers a request Node could not parse with problem+json (Fastify's default writes its own JSON shape), then
 * closes the connection: after a parse error the rest of the stream cannot be trusted. The request id is made
 * here, since no request object exists, and is logged with the error and sent back.
 */
export function answerClientError(error: ParseError, socket: Socket, log: FastifyBaseLogger): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const inResponse = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (inResponse) {
    socket.destroy();
    return;
  }
  refuseOnSocket(socket, parseErrorOf(error), log, { parserCode: error.code });
}

/**
 * Writes a problem as a whole HTTP/1.1 response on a socket no framework answers (a parse error, a refused
 * WebSocket upgrade), logs it with a request id made for it, and closes the socket.
 */
export function refuseOnSocket(socket: Duplex, error: CausewayError, log: FastifyBaseLogger, context: Record<string, unknown> = {}): void {
  const requestId = randomUUID();
  log.info({ reqId: requestId, code: error.code, detail: error.message, ...context }, 'request refused before routing');
  if (socket.writable) {
    const body = JSON.stringify(toProblem(error));
    socket.write(
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\n` +
        `content-type: ${problemContentType}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

const webSocketKey = /^[+/0-9A-Za-z]{22}==$/;

/**
 * Why an upgrade request cannot become a WebSocket, checked before `ws` sees it: `ws` would answer these in
 * text/html. The checks are `ws`'s own (method, Upgrade, key, version); `path` is whether an endpoint serves it.
 */
export function upgradeRefusal(request: IncomingMessage, endpointExists: boolean): CausewayError | undefined {
  if (!endpointExists) return new CausewayError('NOT_FOUND', `No WebSocket endpoint at ${request.url?.split('?')[0] ?? ''}.`);
  if (request.method !== 'GET') return new CausewayError('METHOD_NOT_ALLOWED', 'A WebSocket upgrade must be a GET request.');
  if (request.headers.upgrade?.toLowerCase() !== 'websocket') return new CausewayError('BAD_REQUEST', 'The Upgrade header must be "websocket".');
  const key = request.headers['sec-websocket-key'];
  if (key === undefined || !webSocketKey.test(key)) return new CausewayError('BAD_REQUEST', 'The Sec-WebSocket-Key header is missing or malformed.');
  const version = Number(request.headers['sec-websocket-version']);
  if (version !== 13 && version !== 8) return new CausewayError('BAD_REQUEST', 'The Sec-WebSocket-Version header must be 13.');
  return undefined;
}
