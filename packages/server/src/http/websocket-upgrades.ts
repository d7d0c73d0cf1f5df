import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { WebSocketServer } from 'ws';
import { CausewayError } from '@causeway/core';
import { refuseOnSocket, upgradeRefusal } from './client-errors.js';
import { closeCodes } from '../realtime/protocol.js';
import { rateLimited, type AddressRateLimit } from './address-rate-limit.js';

/** A WebSocket endpoint: takes over an HTTP upgrade request for its path. */
export interface WebSocketEndpoint {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}


/**
 * Routes upgrade requests to the WebSocket endpoints by path, and holds every endpoint to one limit of open
 * connections per client address, counted on the underlying socket so no endpoint can forget to give one back.
 * A refused client still completes the handshake and is closed with 4029 and a reason: browsers cannot read the
 * status of a failed handshake, but they do see a close code.
 */
export class WebSocketUpgrades {
  private readonly perIp = new Map<string, number>();
  private readonly refusing = new WebSocketServer({ noServer: true });

  constructor(
    private readonly endpoints: ReadonlyMap<string, WebSocketEndpoint>,
    private readonly limits: {
      maxConnectionsPerIp: number;
      /** The client's address, believing X-Forwarded-For from trusted proxies as HTTP requests do. */
      clientAddress: (request: IncomingMessage) => string;
      /** The general request limit per address: an upgrade counts as a request. */
      addressLimit?: AddressRateLimit;
    },
    private readonly log: FastifyBaseLogger,
  ) {}

  handle(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const endpoint = this.endpoints.get(request.url?.split('?')[0] ?? '');
    const refusal = upgradeRefusal(request, endpoint !== undefined);
    if (refusal || !endpoint) {
      refuseOnSocket(socket, refusal ?? new CausewayError('NOT_FOUND', 'No WebSocket endpoint here.'), this.log);
      return;
    }
    const ip = this.limits.clientAddress(request);
    const wait = this.limits.addressLimit?.take(ip) ?? 0;
    if (wait > 0) {
      refuseOnSocket(socket, rateLimited(wait), this.log);
      return;
    }
    const count = (this.perIp.get(ip) ?? 0) + 1;
    if (count > this.limits.maxConnectionsPerIp) {
      this.refusing.handleUpgrade(request, socket, head, (ws) => ws.close(closeCodes.tooManyConnections, 'too many connections from this address'));
      return;
    }
    this.perIp.set(ip, count);
    socket.once('close', () => {
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, left);
    });
    endpoint.handleUpgrade(request, socket, head);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.refusing.close(() => resolve()));
  }
}
