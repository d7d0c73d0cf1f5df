import type { SqlDatabase } from '../sql/sql-database.js';
import { sqlTemplate, type SqlTemplate } from '../sql/sql-template.js';

/** Each after-commit hook's position in the change log and its lease: `name, seq, owner, lease_until` (ms since epoch). */
export const hookCursorsTable = '_hook_cursors';

/**
 * The stored positions and leases of after-commit hooks. Every statement is a plain INSERT or conditional UPDATE
 * in a write transaction, so it means the same on SQLite and PostgreSQL.
 */
export class HookCursors {
  private readonly s: SqlTemplate;

  constructor(private readonly db: SqlDatabase) {
    this.s = sqlTemplate(db.dialect);
  }

  /** Creates the hook's row at `seq` (a new hook starts at the log's end); an existing row keeps its position. */
  async register(name: string, seq: number): Promise<void> {
    const { text, params } = this.s.q`INSERT INTO ${this.s.id(hookCursorsTable)} (name, seq, owner, lease_until) VALUES (${name}, ${seq}, ${null}, ${0}) ON CONFLICT (name) DO NOTHING`;
    await this.db.transaction((tx) => tx.run(text, params));
  }

  /** Takes or renews the lease; the stored position when `instance` holds it now, undefined when another does. */
  async take(name: string, instance: string, leaseMs: number): Promise<number | undefined> {
    const now = Date.now();
    const t = this.s.id(hookCursorsTable);
    return this.db.transaction(async (tx) => {
      const update = this.s.q`UPDATE ${t} SET owner = ${instance}, lease_until = ${now + leaseMs} WHERE name = ${name} AND (owner = ${instance} OR owner IS NULL OR lease_until < ${now})`;
      if ((await tx.run(update.text, update.params)).changes !== 1) return undefined;
      const select = this.s.q`SELECT seq FROM ${t} WHERE name = ${name}`;
      return Number((await tx.get(select.text, select.params))?.seq);
    });
  }

  /** Moves the position to `seq` and renews the lease; false when the lease was lost (another instance goes on). */
  async advance(name: string, instance: string, seq: number, leaseMs: number): Promise<boolean> {
    const { text, params } = this.s.q`UPDATE ${this.s.id(hookCursorsTable)} SET seq = ${seq}, lease_until = ${Date.now() + leaseMs} WHERE name = ${name} AND owner = ${instance}`;
    return (await this.db.transaction((tx) => tx.run(text, params))).changes === 1;
  }

  async renew(name: string, instance: string, leaseMs: number): Promise<boolean> {
    const { text, params } = this.s.q`UPDATE ${this.s.id(hookCursorsTable)} SET lease_until = ${Date.now() + leaseMs} WHERE name = ${name} AND owner = ${instance}`;
    return (await this.db.transaction((tx) => tx.run(text, params))).changes === 1;
  }

  /** Lets the lease go (a clean stop), so another instance need not wait for it to run out. */
  async release(name: string, instance: string): Promise<void> {
    const { text, params } = this.s.q`UPDATE ${this.s.id(hookCursorsTable)} SET owner = ${null}, lease_until = ${0} WHERE name = ${name} AND owner = ${instance}`;
    await this.db.transaction((tx) => tx.run(text, params));
  }
}
