import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { Cron } from 'croner';
import { anonymousCaller, CausewayError, type JobRun, type JobRuns, type RecordsService } from '@causeway/core';
import { causewayRecords } from './causeway-records.js';
import type { JobDefinition } from './jobs.js';

/** A job as the console shows it. */
export interface ScheduledJob {
  name: string;
  pattern: string;
  /** The next scheduled time (ISO 8601), null once the pattern has no more. */
  nextRun: string | null;
  /** Whether a run of it is going on in this instance. */
  running: boolean;
}

export interface JobSchedulerDeps {
  jobs: readonly JobDefinition[];
  runs: JobRuns;
  records: RecordsService;
  log: FastifyBaseLogger;
  /** Runs kept per job in the history (older ones are deleted after each run). */
  keepRuns: number;
  /** How long `stop()` waits for running jobs before it gives up on them (they are told through their signal). */
  stopWaitMs?: number;
}

/** The longest a timer is set for; a later run is reached in steps (Node's timers overflow past ~24.8 days). */
const maxTimerMs = 60 * 60 * 1000;

/**
 * Runs the jobs on their schedules. Each scheduled time is claimed in the database first (`JobRuns.claim`), so with
 * several instances exactly one of them runs it; the others skip it. A run still going when its next time comes
 * is not overlapped on this instance: that time is left to another instance, or skipped. A run whose instance dies
 * stays in the history unfinished and is not run again (at most once per scheduled time).
 */
export class JobScheduler {
  /** This process, in the history's `instance` column. */
  readonly instance = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  private readonly crons = new Map<string, Cron>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly closing = new AbortController();

  constructor(private readonly deps: JobSchedulerDeps) {
    for (const job of deps.jobs) this.crons.set(job.name, new Cron(job.pattern, { paused: true, timezone: 'UTC' }));
  }

  start(): void {
    for (const job of this.deps.jobs) this.scheduleAfter(job, new Date());
  }

  list(): ScheduledJob[] {
    return this.deps.jobs.map((job) => ({
      name: job.name,
      pattern: job.pattern,
      nextRun: this.closing.signal.aborted ? null : (this.crons.get(job.name)!.nextRun()?.toISOString() ?? null),
      running: this.running.has(job.name),
    }));
  }

  /**
   * Runs `name` now, outside its schedule (an admin's "run now"), as a run of its own in the history; resolves
   * when it has finished, with its row.
   */
  async runNow(name: string): Promise<JobRun> {
    const job = this.deps.jobs.find((j) => j.name === name);
    if (!job) throw new CausewayError('NOT_FOUND', `No job named '${name}'.`);
    if (this.running.has(name)) throw new CausewayError('CONFIRMATION_REQUIRED', `Job '${name}' is running now; try again when it has finished.`);
    // A manual run's key is its own start, to the millisecond, never a whole second: it never takes the row of a
    // scheduled time (scheduled times are whole seconds).
    const now = Date.now();
    const at = new Date(now % 1000 === 0 ? now + 1 : now);
    let claimed = false;
    // Tracked before its first await, so a second "run now" at the same moment sees it running.
    await this.track(job, (async () => {
      claimed = await this.deps.runs.claim(name, at, this.instance, at);
      if (claimed) await this.execute(job, at);
    })());
    if (!claimed) throw new CausewayError('CONFIRMATION_REQUIRED', `Job '${name}' was just started; try again.`);
    const [run] = (await this.deps.runs.recent(50, name)).filter((r) => r.scheduledAt === at.toISOString());
    return run!;
  }

  /** Stops scheduling, tells running jobs through their signal, and waits for them to finish. */
  async stop(): Promise<void> {
    this.closing.abort();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const cron of this.crons.values()) cron.stop();
    const running = [...this.running.keys()];
    if (running.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'gave up'>((resolve) => (timer = setTimeout(() => resolve('gave up'), this.deps.stopWaitMs ?? 10_000)));
    const outcome = await Promise.race([Promise.allSettled([...this.running.values()]), gaveUp]);
    clearTimeout(timer);
    if (outcome === 'gave up') this.deps.log.warn({ jobs: running }, 'jobs still running at shutdown were left unfinished (their runs stay unfinished in the history)');
  }

  private scheduleAfter(job: JobDefinition, after: Date): void {
    if (this.closing.signal.aborted) return;
    const next = this.crons.get(job.name)!.nextRun(after);
    if (!next) return;
    this.arm(job, next);
  }

  private arm(job: JobDefinition, at: Date): void {
    const wait = at.getTime() - Date.now();
    const timer = setTimeout(() => {
      this.timers.delete(job.name);
      // Timers may fire a little early, and long waits are taken in steps: not due yet, wait again.
      if (Date.now() < at.getTime()) return this.arm(job, at);
      // The next time is counted from this one, not from now, so every instance names the same times.
      this.scheduleAfter(job, new Date(Math.max(at.getTime(), Date.now() - 1000)));
      void this.due(job, at);
    }, Math.min(Math.max(wait, 0), maxTimerMs));
    // A schedule alone never keeps the process alive; `close()` is what ends it.
    timer.unref();
    this.timers.set(job.name, timer);
  }

  private async due(job: JobDefinition, at: Date): Promise<void> {
    if (this.running.has(job.name) || this.closing.signal.aborted) return;
    // Tracked before its first await, so nothing else starts this job on this instance meanwhile.
    await this.track(job, (async () => {
      let claimed: boolean;
      try {
        claimed = await this.deps.runs.claim(job.name, at, this.instance);
      } catch (error) {
        this.deps.log.error({ err: error, job: job.name }, 'claiming a job run failed; this run is skipped here');
        return;
      }
      if (claimed) await this.execute(job, at);
    })());
  }

  private track(job: JobDefinition, run: Promise<void>): Promise<void> {
    const tracked = run.finally(() => this.running.delete(job.name));
    this.running.set(job.name, tracked);
    return tracked;
  }

  /** Runs a claimed run and records how it ended; never throws (a job's failure is its history's, and the log's). */
  private async execute(job: JobDefinition, at: Date): Promise<void> {
    const log = this.deps.log.child({ job: job.name, scheduledAt: at.toISOString() });
    let outcome: { ok: boolean; error?: string };
    try {
      await job.handler({ records: causewayRecords(this.deps.records, anonymousCaller), log, scheduledAt: at, signal: this.closing.signal });
      outcome = { ok: true };
    } catch (error) {
      log.error({ err: error }, 'job failed');
      outcome = { ok: false, error: error instanceof Error ? error.message || error.name : String(error) };
    }
    try {
      await this.deps.runs.finish(job.name, at, outcome);
      await this.deps.runs.prune(job.name, this.deps.keepRuns);
    } catch (error) {
      log.error({ err: error }, 'recording a job run failed');
    }
  }
}
