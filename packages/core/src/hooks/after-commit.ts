import type { ChangeEvent } from '../events/change-event.js';
import type { EventBus } from '../events/event-bus.js';
import type { ChangeFeed } from '../realtime/change-feed.js';
import type { SqlDatabase } from '../sql/sql-database.js';
import { HookCursors } from './hook-cursors.js';
import { HookFailure, runHook } from './run-hook.js';

/** A committed change as an after-commit hook gets it; `seq` is unique and increasing: key idempotency on it. */
export type CommittedChange = ChangeEvent;

export type AfterCommitHook = (change: CommittedChange) => void | Promise<void>;

/** One after-commit hook. `name` keys its stored position: renaming it starts a new position at the log's end. */
export interface AfterCommitRegistration {
  name: string;
  collection: string;
  run: AfterCommitHook;
  source: string;
}

export interface AfterCommitLog {
  error(error: unknown, message: string): void;
}

export interface AfterCommitOptions {
  db: SqlDatabase;
  feed: ChangeFeed;
  bus: EventBus;
  log: AfterCommitLog;
  /** This process, as the holder of leases; unique per instance. */
  instance: string;
  /** How long a lease lasts without renewal: how long a dead instance's hooks wait before another takes them. */
  leaseMs?: number;
  /** How often the log is read without a wake-up (changes of other instances, a lost bus message). */
  pollMs?: number;
}

const defaults = { leaseMs: 10_000, pollMs: 1000, batch: 100, firstRetryMs: 500, maxRetryMs: 60_000, stopGraceMs: 5000 };

/**
 * Runs after-commit hooks from the change log, at least once per change and in `seq` order: each hook has a
 * stored position, moved past a change only once the hook has succeeded with it, so a crash between commit and
 * hook resumes where it stopped. On several instances each hook is run by the one holding its lease (a row taken
 * with a conditional UPDATE), so each change is handled by one instance unless a lease ran out mid-hook.
 */
export class AfterCommitRunner {
  private workers = new Map<string, HookWorker>();
  private readonly cursors: HookCursors;
  private unsubscribe: (() => void) | undefined;
  private poll: NodeJS.Timeout | undefined;
  private readonly settings: typeof defaults;

  constructor(private readonly options: AfterCommitOptions) {
    this.cursors = new HookCursors(options.db);
    this.settings = { ...defaults, ...definedOf(options) };
  }

  /** Installs a new set of hooks: hooks kept by name keep their position; removed ones stop. */
  async replace(registrations: readonly AfterCommitRegistration[]): Promise<void> {
    const next = new Map<string, HookWorker>();
    const latest = await this.options.feed.latest();
    for (const registration of registrations) {
      if (next.has(registration.name)) throw new Error(`two after-commit hooks are named '${registration.name}' (give one a name of its own)`);
      await this.cursors.register(registration.name, latest);
      const kept = this.workers.get(registration.name);
      next.set(registration.name, kept ? kept.with(registration) : new HookWorker(registration, this.cursors, this.options, this.settings));
    }
    for (const [name, worker] of this.workers) if (!next.has(name)) await worker.stop(this.settings.stopGraceMs);
    this.workers = next;
    if (next.size > 0) this.start();
    this.wake();
  }

  private start(): void {
    if (this.poll) return;
    this.unsubscribe = this.options.bus.subscribe(() => this.wake());
    this.poll = setInterval(() => this.wake(), this.settings.pollMs);
    this.poll.unref();
  }

  private wake(): void {
    for (const worker of this.workers.values()) worker.wake();
  }

  /** Stops reading the log; a hook running now finishes first. Leases are let go so another instance goes on at once. */
  async stop(): Promise<void> {
    clearInterval(this.poll);
    this.poll = undefined;
    this.unsubscribe?.();
    await Promise.all([...this.workers.values()].map((worker) => worker.stop(this.settings.stopGraceMs)));
  }
}

/** One hook's loop: one pass at a time; a pass reads from the stored position and runs the hook change by change. */
class HookWorker {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private failures = 0;
  private retryAt = 0;
  private renewal: NodeJS.Timeout | undefined;
  /** The position this instance last stored, while it holds the lease (undefined: read it when taking the lease). */
  private stored: number | undefined;
  private leaseUntil = 0;

  constructor(
    private registration: AfterCommitRegistration,
    private readonly cursors: HookCursors,
    private readonly options: AfterCommitOptions,
    private readonly settings: typeof defaults,
  ) {}

  /** The same worker (position, lease, backoff) running the reloaded code. */
  with(registration: AfterCommitRegistration): HookWorker {
    this.registration = registration;
    return this;
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) => this.options.log.error(error, `after-commit hook ${this.registration.name}: reading the change log failed`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /**
   * Waits for a running hook at most `graceMs`: one that hangs must not keep the server from stopping. Its change
   * was not stored as handled, so it runs again (here or elsewhere); the lease is kept until it runs out, not
   * released, so no other instance runs the same change while this one may still be in it.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    clearInterval(this.renewal);
    this.renewal = undefined;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      (this.running ?? Promise.resolve()).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(resolve, graceMs, false))),
    ]);
    clearTimeout(timer);
    if (finished) await this.cursors.release(this.registration.name, this.options.instance).catch(() => undefined);
    else this.options.log.error(new Error(`still running after ${graceMs} ms`), `after-commit hook ${this.registration.name} did not finish before the server stopped; its change runs again`);
  }

  private async pass(): Promise<void> {
    if (Date.now() < this.retryAt) return;
    const { name } = this.registration;
    const { instance } = this.options;
    const { leaseMs } = this.settings;
    // While this instance holds the lease nobody else moves the position, so the one it stored is still current.
    if (this.stored === undefined || Date.now() > this.leaseUntil - leaseMs / 2) {
      const taken = await this.cursors.take(name, instance, leaseMs);
      if (taken === undefined) return void (this.stored = undefined);
      this.stored = taken;
      this.leaseUntil = Date.now() + leaseMs;
      this.holdLease();
    }
    let position = this.stored;
    for (;;) {
      const changes = await this.options.feed.since(position, this.settings.batch);
      if (changes.length === 0 || this.stopped) break;
      if (changes[0]!.seq > position + 1) await this.reportPruned(position, changes[0]!.seq);
      for (const change of changes) {
        if (this.stopped) break;
        if (this.registration.collection === '*' || this.registration.collection === change.collection) {
          if (!(await this.succeeds(change))) {
            // Retried from this change: the position stays just before it.
            await this.store(position);
            return;
          }
          if (!(await this.store(change.seq))) return;
        }
        position = change.seq;
      }
    }
    await this.store(position);
  }

  /**
   * Gaps in `seq` are normal (PostgreSQL hands out numbers that rolled-back writes never use), but a gap that ends
   * at the oldest entry kept means the change log's retention pruned changes this hook had not handled yet.
   */
  private async reportPruned(position: number, next: number): Promise<void> {
    if (position === 0 || (await this.options.feed.oldest()) !== next) return;
    this.options.log.error(
      new Error(`changes ${position + 1} to ${next - 1} were pruned from the change log before this hook handled them`),
      `after-commit hook ${this.registration.name} missed changes (raise CAUSEWAY_CHANGE_LOG_MAX_AGE / _MAX_COUNT, or fix the failing hook)`,
    );
  }

  /** Stores the position (and renews the lease); false, forgetting the lease, when another instance took it. */
  private async store(seq: number): Promise<boolean> {
    if (seq === this.stored) return true;
    if (!(await this.cursors.advance(this.registration.name, this.options.instance, seq, this.settings.leaseMs))) {
      this.stored = undefined;
      return false;
    }
    this.stored = seq;
    this.leaseUntil = Date.now() + this.settings.leaseMs;
    return true;
  }

  private async succeeds(change: ChangeEvent): Promise<boolean> {
    try {
      await runHook(this.registration, change);
      this.failures = 0;
      this.retryAt = 0;
      return true;
    } catch (error) {
      this.failures += 1;
      const delay = Math.min(this.settings.firstRetryMs * 2 ** (this.failures - 1), this.settings.maxRetryMs);
      this.retryAt = Date.now() + delay;
      const failure = error instanceof HookFailure ? error : new HookFailure(this.registration.source, error);
      this.options.log.error(failure, `after-commit hook ${this.registration.name} failed on change ${change.seq} (attempt ${this.failures}); retrying in ${delay} ms`);
      setTimeout(() => this.wake(), delay).unref();
      return false;
    }
  }

  /** Renews the lease while this instance holds it, so a slow hook does not lose it half-way through. */
  private holdLease(): void {
    if (this.renewal) return;
    this.renewal = setInterval(() => {
      const renewedUntil = Date.now() + this.settings.leaseMs;
      void this.cursors.renew(this.registration.name, this.options.instance, this.settings.leaseMs).then((held) => {
        if (held) this.leaseUntil = renewedUntil;
        else {
          this.stored = undefined;
          clearInterval(this.renewal);
          this.renewal = undefined;
        }
      }, (error: unknown) => this.options.log.error(error, `after-commit hook ${this.registration.name}: renewing its lease failed`));
    }, Math.max(100, Math.floor(this.settings.leaseMs / 3)));
    this.renewal.unref();
  }
}

function definedOf(options: AfterCommitOptions): Partial<typeof defaults> {
  const out: Partial<typeof defaults> = {};
  if (options.leaseMs !== undefined) out.leaseMs = options.leaseMs;
  if (options.pollMs !== undefined) out.pollMs = options.pollMs;
  return out;
}
