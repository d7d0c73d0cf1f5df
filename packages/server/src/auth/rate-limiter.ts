import { CausewayError } from '@causeway/core';

/** Counts attempts per key in fixed one-minute windows; one process's memory (shared limits need Redis). */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt for every key; throws RATE_LIMITED (with retryAfter seconds) when any is over. */
  hit(...keys: string[]): void {
    const now = this.now();
    if (this.windows.size > 100_000) this.sweep(now);
    let retryAfter = 0;
    for (const key of keys) {
      let window = this.windows.get(key);
      if (!window || now - window.start >= this.windowMs) {
        window = { start: now, count: 0 };
        this.windows.set(key, window);
      }
      window.count += 1;
      if (window.count > this.limit) retryAfter = Math.max(retryAfter, Math.ceil((window.start + this.windowMs - now) / 1000));
    }
    if (retryAfter > 0) {
      throw new CausewayError('RATE_LIMITED', `Too many attempts; try again in ${retryAfter} s.`, { extra: { retryAfter } });
    }
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(key);
  }
}
