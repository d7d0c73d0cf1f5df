import { Redis } from 'ioredis';

/**
 * Counters and marks that expire, for the credential guard's failure counts, back-offs and known addresses: in the
 * process, or in Redis so every instance of a deployment shares them.
 */
export interface CounterStore {
  /** Adds one to `key` and keeps it `ttlMs` from now; resolves the new count. */
  increment(key: string, ttlMs: number): Promise<number>;
  /** Adds `amount` to `key`, which lasts `ttlMs` from its first count; resolves the new count (0 if unknown). */
  add(key: string, amount: number, ttlMs: number): Promise<number>;
  /** The count of `key` (0 when none). */
  count(key: string): Promise<number>;
  /** Sets a mark on `key` for `ttlMs`. */
  mark(key: string, ttlMs: number): Promise<void>;
  /** Milliseconds left of the mark on `key` (0 when none). */
  remaining(key: string): Promise<number>;
  forget(...keys: string[]): Promise<void>;
  close(): Promise<void>;
}

/** One process's memory: right for a single instance. */
export class MemoryCounterStore implements CounterStore {
  private readonly entries = new Map<string, { value: number; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async increment(key: string, ttlMs: number): Promise<number> {
    const now = this.now();
    if (this.entries.size > 100_000) this.sweep(now);
    const value = (this.live(key, now)?.value ?? 0) + 1;
    this.entries.set(key, { value, expires: now + ttlMs });
    return value;
  }

  async add(key: string, amount: number, ttlMs: number): Promise<number> {
    const now = this.now();
    const entry = this.live(key, now);
    const value = (entry?.value ?? 0) + amount;
    this.entries.set(key, { value, expires: entry?.expires ?? now + ttlMs });
    return value;
  }

  async count(key: string): Promise<number> {
    return this.live(key, this.now())?.value ?? 0;
  }

  async mark(key: string, ttlMs: number): Promise<void> {
    this.entries.set(key, { value: 1, expires: this.now() + ttlMs });
  }

  async remaining(key: string): Promise<number> {
    const now = this.now();
    const entry = this.live(key, now);
    return entry ? entry.expires - now : 0;
  }

  async forget(...keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  async close(): Promise<void> {}

  private live(key: string, now: number): { value: number; expires: number } | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expires <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
  }
}

/**
 * Shared through Redis. Like the rate limiter, it fails open: when Redis does not answer within a second, counts
 * read as 0 and nothing is refused (reported to `onError` once per outage), so a cache outage never locks
 * everyone out; the per-address limits and slow hashing remain.
 */
export class RedisCounterStore implements CounterStore {
  private readonly redis: Redis;
  private failing = false;

  constructor(
    url: string,
    private readonly options: { prefix?: string; onError?: (error: unknown) => void } = {},
  ) {
    this.redis = new Redis(url, { commandTimeout: 1000, maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', () => undefined);
  }

  increment(key: string, ttlMs: number): Promise<number> {
    const name = this.name(key);
    return this.guard(async () => {
      const results = (await this.redis.multi().incr(name).pexpire(name, ttlMs).exec()) ?? [];
      const [error, count] = results[0] ?? [new Error('no answer')];
      if (error) throw error;
      return Number(count);
    }, 0);
  }

  add(key: string, amount: number, ttlMs: number): Promise<number> {
    const name = this.name(key);
    return this.guard(async () => {
      // NX: the key lasts from its window's first count, whichever instance made it.
      const results = (await this.redis.multi().incrby(name, amount).pexpire(name, ttlMs, 'NX').exec()) ?? [];
      const [error, count] = results[0] ?? [new Error('no answer')];
      if (error) throw error;
      return Number(count);
    }, 0);
  }

  count(key: string): Promise<number> {
    return this.guard(async () => Number((await this.redis.get(this.name(key))) ?? 0), 0);
  }

  mark(key: string, ttlMs: number): Promise<void> {
    return this.guard(async () => void (await this.redis.set(this.name(key), '1', 'PX', Math.max(1, Math.round(ttlMs)))), undefined);
  }

  remaining(key: string): Promise<number> {
    return this.guard(async () => Math.max(0, await this.redis.pttl(this.name(key))), 0);
  }

  forget(...keys: string[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    return this.guard(async () => void (await this.redis.del(...keys.map((key) => this.name(key)))), undefined);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private name(key: string): string {
    return `${this.options.prefix ?? 'causeway:guard'}:${key}`;
  }

  private async guard<T>(work: () => Promise<T>, fallback: T): Promise<T> {
    try {
      const result = await work();
      this.failing = false;
      return result;
    } catch (error) {
      if (!this.failing) this.options.onError?.(error);
      this.failing = true;
      return fallback;
    }
  }
}
