import { anonymousCaller, type Caller, type LiveSession, type SessionEndReason } from '@causeway/core';

const bearer = /^Bearer[ ]+(\S+)$/;

/** The access token of an `Authorization`-style value ("Bearer <token>"), if it is one. */
export function bearerToken(authorization: unknown): string | undefined {
  return typeof authorization === 'string' ? bearer.exec(authorization)?.[1] : undefined;
}

/**
 * Who a long-lived connection (graphql-ws, realtime) acts as: anonymous, or a live session of the core until that
 * session ends — then `onEnd` runs once, at once, and the connection is anonymous again. Both WebSocket surfaces
 * hold one, so neither decodes tokens nor keeps a caller past its session.
 */
export class ConnectionSession {
  private session: LiveSession | undefined;
  private unlisten: (() => void) | undefined;
  /** Counts changes of caller, so work started under one caller can tell it finished under another. */
  private epoch = 0;
  private lastEnd = -1;

  constructor(private readonly onEnd: (reason: SessionEndReason, session: LiveSession) => void) {}

  get caller(): Caller {
    return this.session?.caller ?? anonymousCaller;
  }

  get current(): LiveSession | undefined {
    return this.session;
  }

  /** A mark to compare with `changedSince` and `endedSince` later. */
  get mark(): number {
    return this.epoch;
  }

  changedSince(mark: number): boolean {
    return this.epoch !== mark;
  }

  /** Whether a session ended after `mark` was taken. */
  endedSince(mark: number): boolean {
    return this.lastEnd >= mark;
  }

  /** Acts as `session` from now on; the previous session is released (it goes on elsewhere), not ended. */
  use(session: LiveSession): void {
    this.release();
    this.session = session;
    this.epoch += 1;
    const ended = () => {
      if (this.session !== session) return;
      this.unlisten = undefined;
      this.session = undefined;
      this.lastEnd = this.epoch;
      this.epoch += 1;
      this.onEnd(session.endReason ?? 'revoked', session);
    };
    if (session.signal.aborted) return ended();
    session.signal.addEventListener('abort', ended, { once: true });
    this.unlisten = () => session.signal.removeEventListener('abort', ended);
  }

  /** Stops acting as the session (the connection closed): anonymous from now on, nothing fires. */
  release(): void {
    this.unlisten?.();
    this.unlisten = undefined;
    this.session?.release();
    if (this.session) this.epoch += 1;
    this.session = undefined;
  }
}
