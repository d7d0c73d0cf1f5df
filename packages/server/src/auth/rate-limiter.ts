import { Redis } from 'ioredis';
import { CausewayError } from '@causeway/core';

/** Counts attempts per key in fixed windows and refuses those over the limit. */
export interface RateLimiter {
  /** Counts one attempt for every key; throws RATE_LIMITED (with retryAfter seconds) when any is over. */
  hit(...keys: string[]): Promise<void>;
  close(): Promise<void>;
}

function refuse(retryAfter: number): never {
  throw new CausewayError('RATE_LIMITED', `Too many attempts; try again in ${retryAfter} s.`, { extra: { retryAfter } });
}

/** One process's memory: right for a single instance. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async hit(...keys: string[]): Promise<void> {
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
    if (retryAfter > 0) refuse(retryAfter);
  }

  async close(): Promise<void> {}

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(key);
  }
}

/**
 * Counts in Redis, so every instance of a deployment shares the limits. Windows are aligned to the clock
 * (`floor(now / window)`), so instances agree on them without talking; each key (`causeway:rate:<window>:<key>`)
 * expires with its window. One round trip per attempt: a MULTI of INCR + PEXPIRE per key, atomic so that no
 * counter is left without its expiry.
 *
 * When Redis cannot be reached the attempt is allowed (fail open) and the failure reported to `onError`, once
 * per outage so that an attack during one does not flood the log: refusing every sign-in while Redis is down
 * would turn a cache outage into a total one, and the limits are a brake on guessing, not the only defence
 * (passwords are slow to hash).
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  /** Whether the last attempt found Redis unreachable: the next failure is then not reported again. */
  private failing = false;

  constructor(
    url: string,
    private readonly limit: number,
    private readonly options: { windowMs?: number; prefix?: string; onError?: (error: unknown) => void; now?: () => number } = {},
  ) {
    // An attempt waits at most a second for Redis (while connecting or reconnecting), then goes through: the
    // offline queue covers a brief reconnect, commandTimeout bounds each wait, and maxRetriesPerRequest empties
    // the queue after every failed reconnection, so nothing piles up while Redis is away.
    this.redis = new Redis(url, { commandTimeout: 1000, maxRetriesPerRequest: 1, lazyConnect: false });
    // Connection errors surface through `hit` (reported once per outage); ioredis reconnects by itself.
    this.redis.on('error', () => undefined);
  }

  async hit(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const windowMs = this.options.windowMs ?? 60_000;
    const now = (this.options.now ?? Date.now)();
    const window = Math.floor(now / windowMs);
    const transaction = this.redis.multi();
    const names = keys.map((key) => `${this.options.prefix ?? 'causeway:rate'}:${window}:${key}`);
    for (const name of names) transaction.incr(name).pexpire(name, windowMs);
    let counts: number[];
    try {
      const results = (await transaction.exec()) ?? [];
      counts = names.map((_name, i) => {
        const [error, count] = results[i * 2] ?? [new Error('no answer')];
        if (error) throw error;
        return Number(count);
      });
    } catch (error) {
      if (!this.failing) this.options.onError?.(error);
      this.failing = true;
      return;
    }
    this.failing = false;
    if (counts.some((count) => count > this.limit)) refuse(Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000)));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/**
 * Shared through Redis when the deployment has one (its keys under `prefix`), else per process. `onError` hears
 * the first failure of each Redis outage (attempts are allowed meanwhile).
 */
export function openRateLimiter(limit: number, redis: { url: string; prefix: string } | undefined, onError: (error: unknown) => void): RateLimiter {
  return redis ? new RedisRateLimiter(redis.url, limit, { onError, prefix: redis.prefix }) : new MemoryRateLimiter(limit);
}
