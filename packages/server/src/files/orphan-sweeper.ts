import { sweepOrphans, type OrphanSweepDeps } from '@causeway/core';

/** Runs the orphan sweep every hour (and on demand), one run at a time. */
export class OrphanSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly deps: OrphanSweepDeps & { onError(error: unknown): void; everyMs?: number }) {}

  start(): void {
    this.timer = setInterval(() => void this.run().catch(this.deps.onError), this.deps.everyMs ?? 3600_000);
    this.timer.unref();
  }

  /**
   * One sweep; a call while one runs waits for that one. Resolves with how many objects were deleted. `nowMs`
   * judges ages as if it were that time (tests, and an operator sweeping ahead of the grace period).
   */
  run(nowMs?: number): Promise<number> {
    this.running ??= sweepOrphans(nowMs === undefined ? this.deps : { ...this.deps, now: () => nowMs }).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
