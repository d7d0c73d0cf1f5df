/** One run of a scheduled job. `finished` and `ok` are null while it runs (or if its instance died during it). */
export interface JobRunEntry {
  job: string;
  /** The time it was scheduled for (its key: one run per job and time, whatever the number of instances). */
  scheduledAt: string;
  started: string;
  finished: string | null;
  ok: boolean | null;
  error: string | null;
  /** Which instance ran it (`host/pid/random`). */
  instance: string;
}

/** A loaded record or auth hook. */
export interface LoadedHookEntry {
  kind: string;
  /** A collection name, or `*` for all. */
  collection: string;
  /** The file it was loaded from, when it came from a hooks directory. */
  source?: string;
}

export interface HookErrorEntry {
  at: string;
  kind: string;
  collection: string;
  message: string;
}

/** `GET /api/extensions`: what the extensions registered, and how their jobs (and hooks) went lately. */
export interface ExtensionsOverview {
  hooks: LoadedHookEntry[];
  routes: { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; path: string; auth: 'anyone' | 'signed-in' | 'admin'; summary: string | null }[];
  jobs: { name: string; pattern: string; nextRun: string | null; running: boolean }[];
  /** The newest runs of every job, newest first. */
  runs: JobRunEntry[];
  /** The newest failures: of hooks, and of job runs. */
  errors: { hooks: HookErrorEntry[]; jobs: JobRunEntry[] };
}
