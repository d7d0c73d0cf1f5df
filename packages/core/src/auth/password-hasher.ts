import { hashPassword, verifyPassword, type PasswordHashing } from './passwords.js';

/**
 * Hashes and checks passwords with a bound on how many run at once. scrypt runs in libuv's worker pool (4 threads
 * by default), never on the event loop; but the same pool runs Web Crypto (the HMAC of every access token that is
 * verified), file reads and DNS lookups. A flood of sign-ins queued there would make every token check wait behind
 * hundreds of hashes, so at most `concurrency` hashes (2 by default: half the pool) run at a time and the others
 * wait here, in arrival order.
 */
export class PasswordHasher {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly hashing: PasswordHashing) {}

  hash(password: string): Promise<string> {
    return this.run(() => hashPassword(password, this.hashing));
  }

  verify(password: string, stored: string | null | undefined): Promise<boolean> {
    return this.run(() => verifyPassword(password, stored));
  }

  /** Hashes waiting for a slot (for tests and metrics). */
  get queued(): number {
    return this.waiting.length;
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    // A slot is handed straight to the next waiter, so `running` never drops while work is queued.
    if (this.running >= (this.hashing.concurrency ?? 2)) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
