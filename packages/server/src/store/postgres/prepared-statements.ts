/**
 * Which statement texts may be prepared. postgres.js keeps every statement it prepared until the connection closes
 * (and PostgreSQL holds its plan as long), and a client's filters give SQL of any shape: so only the first
 * `max` distinct texts (1,000, or 1 MB of text: each connection of the pool holds its own) are prepared, and the rest run unprepared, a parse each time.
 * The application's own shapes come first in practice: they are what every request runs.
 */
export class PreparedStatements {
  private readonly admitted = new Set<string>();
  private bytes = 0;

  constructor(
    private readonly max = 1000,
    private readonly maxBytes = 1024 * 1024,
  ) {}

  admits(sql: string): boolean {
    if (this.admitted.has(sql)) return true;
    if (this.admitted.size >= this.max || this.bytes + sql.length > this.maxBytes) return false;
    this.admitted.add(sql);
    this.bytes += sql.length;
    return true;
  }
}
