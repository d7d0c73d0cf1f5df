/** A transaction-scoped advisory lock on `key`, held until commit: shared (many holders at once) or exclusive. */
export interface AdvisoryLock {
  sql: string;
  params: string[];
}

export function advisoryLock(key: string, mode: 'shared' | 'exclusive'): AdvisoryLock {
  return { sql: `SELECT ${mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock'}(hashtext($1))`, params: [key] };
}

/** What every write of a deployment holds: shared by record writes, exclusive for everything that runs alone. */
export function writersLock(schema: string, mode: 'shared' | 'exclusive'): AdvisoryLock {
  return advisoryLock(`causeway:${schema}`, mode);
}

/** The lock every change-log position is given under, across every instance sharing the schema. */
export function positionsLock(schema: string): AdvisoryLock {
  return advisoryLock(`causeway:${schema}:positions`, 'exclusive');
}
