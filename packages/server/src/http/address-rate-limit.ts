import { CausewayError } from '@causeway/core';
import type { CounterStore } from '../auth/counter-store.js';

/** The refusal of a request over the limit: 429 with `Retry-After`. */
export function rateLimited(retryAfter: number): CausewayError {
  return new CausewayError('RATE_LIMITED', `Too many requests from this address; try again in ${retryAfter} s.`, { extra: { retryAfter } });
}

/** Distinct addresses counted apart in one window; past it, new ones share one count (a spray of addresses). */
const maxAddresses = 200_000;
const overflow = '*';

/**
 * The general request limit per client address: at most `limit` requests (HTTP and WebSocket upgrades) in each
 * clock-aligned window. Counting is in the process, so a request pays one map update; with a `shared` store
 * (Redis) each instance adds what it counted to the cluster's totals every `syncMs` and refuses an address
 * whose cluster-wide count is over the limit, so several instances behind a load balancer hold a client to one
 * limit, give or take one sync's worth of requests.
 */
export class AddressRateLimit {
  private window = -1;
  private readonly local = new Map<string, number>();
  private readonly unsent = new Map<string, number>();
  /** What the other instances counted for an address in this window, as of the last sync. */
  private readonly others = new Map<string, number>();
  /** Addresses sent at the last sync: read back once more at the next, so what others added since is seen too. */
  private recent = new Set<string>();
  private readonly timer: NodeJS.Timeout | undefined;
  private syncing = false;

  constructor(
    private readonly limit: number,
    private readonly options: { windowMs?: number; shared?: CounterStore | undefined; syncMs?: number; now?: () => number } = {},
  ) {
    if (options.shared) {
      this.timer = setInterval(() => void this.sync(), options.syncMs ?? 1000);
      this.timer.unref();
    }
  }

  private get windowMs(): number {
    return this.options.windowMs ?? 60_000;
  }

  /** Counts one request from `address`; answers 0 when it may go on, else the seconds until the window ends. */
  take(address: string): number {
    const now = (this.options.now ?? Date.now)();
    const window = Math.floor(now / this.windowMs);
    if (window !== this.window) this.startWindow(window);
    const key = this.local.has(address) || this.local.size < maxAddresses ? address : overflow;
    const count = (this.local.get(key) ?? 0) + 1;
    this.local.set(key, count);
    if (this.options.shared) this.unsent.set(key, (this.unsent.get(key) ?? 0) + 1);
    if (count + (this.others.get(key) ?? 0) <= this.limit) return 0;
    return Math.max(1, Math.ceil(((window + 1) * this.windowMs - now) / 1000));
  }

  /**
   * Adds this instance's counts since the last sync to the shared store and reads back the cluster's totals for
   * those addresses and for the ones sent last time (so an instance that synced first still learns, one sync
   * later, what the others added after it).
   */
  async sync(): Promise<void> {
    const shared = this.options.shared;
    if (!shared || this.syncing || (this.unsent.size === 0 && this.recent.size === 0)) return;
    this.syncing = true;
    const window = this.window;
    const batch = new Map(this.recent.size === 0 ? [] : [...this.recent].map((address) => [address, 0] as [string, number]));
    for (const [address, added] of this.unsent) batch.set(address, added);
    this.recent = new Set(this.unsent.keys());
    this.unsent.clear();
    try {
      await Promise.all(
        [...batch].map(async ([address, added]) => {
          const total = await shared.add(`requests:${window}:${address}`, added, this.windowMs);
          if (this.window === window && total > 0) this.others.set(address, Math.max(0, total - (this.local.get(address) ?? 0)));
        }),
      );
    } finally {
      this.syncing = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }

  private startWindow(window: number): void {
    this.window = window;
    this.local.clear();
    this.unsent.clear();
    this.others.clear();
    this.recent.clear();
  }
}
