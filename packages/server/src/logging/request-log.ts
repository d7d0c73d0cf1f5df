import type { RequestLogEntry } from '@causeway/wire';
import type { FastifyInstance } from 'fastify';

/** Paths longer than this are cut: an entry's size stays bounded whatever a client sends. */
const maxPathLength = 512;

/**
 * The last `capacity` answered requests, in memory, for the console's logs view. A ring buffer: adding is O(1)
 * and the memory is bounded (a few hundred bytes an entry); a restart forgets it, and each instance keeps its own.
 */
export class RequestLog {
  // The time is kept as a number and formatted when read: formatting on every request cost more than the rest.
  private readonly slots: (RecordedRequest | undefined)[];
  private next = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<RecordedRequest | undefined>(capacity);
  }

  add(entry: RecordedRequest): void {
    if (this.capacity === 0) return;
    this.slots[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first, at most `limit`, keeping those `keep` accepts. */
  recent(limit: number, keep: (entry: RecordedRequest) => boolean = () => true): RequestLogEntry[] {
    const found: RequestLogEntry[] = [];
    for (let i = 1; i <= this.capacity && found.length < limit; i++) {
      const entry = this.slots[(this.next - i + this.capacity) % this.capacity];
      if (entry === undefined) break;
      if (keep(entry)) {
        const { timeMs, ...rest } = entry;
        found.push({ time: new Date(timeMs).toISOString(), ...rest });
      }
    }
    return found;
  }
}

/** An entry as held: `time` as milliseconds since the epoch. */
export type RecordedRequest = Omit<RequestLogEntry, 'time'> & { timeMs: number };

/** `/api/x?token=abc` → `/api/x`, cut to a bounded length. */
export function loggedPath(url: string): string {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return path.length > maxPathLength ? `${path.slice(0, maxPathLength)}…` : path;
}

/**
 * Fills `log` from every answered HTTP request (WebSocket upgrades never reach Fastify's hooks). Reading the
 * log itself (`skip`) is left out, so a console polling it does not push out what it came to see.
 */
export function recordRequests(app: FastifyInstance, log: RequestLog, skip: (route: string | undefined, status: number) => boolean): void {
  if (log.capacity === 0) return;
  // A callback hook, not an async one: it runs on every request.
  app.addHook('onResponse', (request, reply, done) => {
    if (!skip(request.routeOptions.url, reply.statusCode)) {
      log.add({
        timeMs: Date.now(),
        requestId: String(request.id),
        method: request.method,
        path: loggedPath(request.url),
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      });
    }
    done();
  });
}
