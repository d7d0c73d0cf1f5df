import type { WebSocket } from 'ws';
import { closeCodes } from '../realtime/protocol.js';

/**
 * What one WebSocket connection may hold, on `/api/realtime` and graphql-ws alike (docs/operations.md lists each
 * with its setting and default). Read from the configuration once, in app.ts.
 */
export interface ConnectionLimits {
  /** Operations received and not yet answered; past it the server stops reading the socket. */
  maxInFlight: number;
  /** Bytes waiting to be sent (socket buffer plus events queued for it); past it the connection is closed (4008). */
  maxBufferedBytes: number;
  maxSubscriptions: number;
  maxChannels: number;
  maxMessageBytes: number;
  heartbeatMs: number;
}

/** The close reason of a consumer that fell behind: what it should do next. */
export const tooSlowReason = 'too slow: reconnect and resume from the last seq received';

/**
 * One connection's share of the limits. Operations in flight are held by backpressure: past the limit the
 * socket is paused, so the client's own TCP buffer fills instead of the server's memory, and reading resumes
 * as answers go out. Unsent bytes are held by closing the connection with 4008, as a client that does not read
 * cannot be sent anything else.
 */
export class ConnectionBudget {
  private inFlight = 0;
  private paused = false;

  constructor(
    private readonly socket: WebSocket,
    readonly limits: ConnectionLimits,
    /** The close reason for a consumer that fell behind: what this protocol's client should do next. */
    private readonly tooSlow: string = tooSlowReason,
  ) {}

  /** An operation arrived. */
  begin(): void {
    this.inFlight++;
    if (!this.paused && this.inFlight >= this.limits.maxInFlight) {
      this.paused = true;
      this.socket.pause();
    }
  }

  /** An operation was answered. */
  end(): void {
    this.inFlight--;
    if (this.paused && this.inFlight < this.limits.maxInFlight) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /**
   * Whether the connection is past its unsent-bytes limit with `queued` more bytes waiting elsewhere for it;
   * if so it is closed with 4008 and a resume hint, and nothing more should be queued for it.
   */
  overflows(queued = 0): boolean {
    if (this.socket.readyState !== this.socket.OPEN) return true;
    if (this.socket.bufferedAmount + queued <= this.limits.maxBufferedBytes) return false;
    this.socket.close(closeCodes.tooSlow, this.tooSlow);
    return true;
  }
}
