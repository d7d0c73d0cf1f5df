import type { Writable } from 'node:stream';

/**
 * Most a held socket gathers before it is let go early. Held bytes count as unsent (`bufferedAmount`), and a
 * burst larger than this — a resume replaying thousands of events in one turn — must reach the kernel's socket
 * buffer as it would uncorked, not be taken for a consumer that fell behind.
 */
const maxHeldBytes = 64 * 1024;
/**
 * Longest one turn spends letting sockets go (a `writev` each). Past it the rest wait for the next turn, still
 * corked and in the order they were corked, gathering more frames meanwhile: the further delivery falls behind,
 * the fewer system calls it makes per frame, and HTTP requests are still read between turns.
 */
const maxReleaseMs = 5;
/** How many sockets to let go between looks at the clock. */
const releaseCheckEvery = 16;

/**
 * Holds what is written to a socket until the end of the event loop's turn, then lets it go as one write.
 * A fan-out sends each connection one frame per event; when delivery runs behind, a connection gets several in
 * one turn, and corking turns them into one `writev` system call instead of one each — the system calls, not
 * the JSON, are most of what a large fan-out costs. At light load nothing waits longer than the turn
 * (`setImmediate` runs right after the I/O of this loop iteration), the order of frames is unchanged, and the socket's
 * `bufferedAmount` counts what is held, so back-pressure still sees it (which is why a socket holding
 * `maxHeldBytes` is let go at once).
 */
export class TurnCork {
  private readonly held = new Set<Writable>();
  private scheduled = false;

  /** Corks `stream` until the end of this turn (once, however often it is called in the turn). */
  hold(stream: Writable): void {
    if (this.held.has(stream)) {
      if (stream.writableLength < maxHeldBytes) return;
      stream.uncork();
      stream.cork();
      return;
    }
    this.held.add(stream);
    stream.cork();
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.release());
  }

  private release(): void {
    this.scheduled = false;
    const started = performance.now();
    let released = 0;
    for (const stream of this.held) {
      this.held.delete(stream);
      stream.uncork();
      if (++released % releaseCheckEvery === 0 && performance.now() - started >= maxReleaseMs) break;
    }
    if (this.held.size > 0) this.schedule();
  }
}
