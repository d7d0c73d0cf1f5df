import { createHash } from 'node:crypto';
import { CausewayError } from '@causeway/core';
import type { CounterStore } from './counter-store.js';
import type { RateLimiter } from './rate-limiter.js';

/** How far guessing is let go (docs/auth.md, "Abuse limits"). */
export interface CredentialPolicy {
  /** Failed checks of one account from one address before that pair backs off. */
  freeFailures: number;
  /** Failed checks of one account from all addresses within an hour before addresses new to it are refused. */
  accountFailureLimit: number;
}

/** One password check: of which account (realm and normalised email), from which address. */
export interface CredentialAttempt {
  realm: string;
  email: string;
  address: string;
}

const firstBackoffMs = 1000;
const maxBackoffMs = 15 * 60_000;
/** A pair's failures are forgotten an hour after its last one; an account's likewise. */
const failureMemoryMs = 60 * 60_000;
/** An address that signed in to an account is known to it for 30 days. */
const knownMs = 30 * 24 * 3600_000;

function refuse(waitMs: number): never {
  const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
  throw new CausewayError('RATE_LIMITED', `Too many attempts; try again in ${retryAfter} s.`, { extra: { retryAfter } });
}

/** Keys name accounts by a hash, so the shared store (Redis) holds no email addresses. */
function accountId(realm: string, email: string): string {
  return createHash('sha256').update(`${realm}\u0000${email}`).digest('base64url').slice(0, 22);
}

/**
 * Rate limits and lock-out for every check of a credential. The budget of an address (`RateLimiter`, per minute)
 * counts every check; failures count per (account, address) pair, which backs off exponentially after a few, so
 * guessing from one address slows to a crawl while the owner, from another address, is not locked out by it. A
 * distributed guess (failures of one account from many addresses) closes the account to addresses that never
 * signed in to it; its known addresses, and a completed password reset, still get in.
 */
export class CredentialGuard {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly store: CounterStore,
    private readonly policy: CredentialPolicy,
  ) {}

  /** Counts one check against the address's budget for `kind` of check; refuses it when over (429). */
  async address(address: string, kind: 'credentials' | 'mail' | 'sign-up'): Promise<void> {
    await this.limiter.hit(`ip:${address}:${kind}`);
  }

  /** A mail asked for an account (reset, verification): per address, and per address and account together. */
  async mail(attempt: CredentialAttempt): Promise<void> {
    await this.limiter.hit(`ip:${attempt.address}:mail`, `mail:${accountId(attempt.realm, attempt.email)}:${attempt.address}`);
  }

  /**
   * Runs `check`, a password check of the attempt's account, unless the address is over its budget, the pair is
   * backing off, or the account is closed to this address; then counts its outcome: a failure (`isFailure`)
   * against the pair and the account, a success clears the pair and makes the address known to the account.
   */
  async password<T>(attempt: CredentialAttempt, check: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T> {
    await this.address(attempt.address, 'credentials');
    const account = accountId(attempt.realm, attempt.email);
    const keys = {
      failures: `fail:${account}:${attempt.address}`,
      backoff: `wait:${account}:${attempt.address}`,
      account: `fail:${account}`,
      known: `known:${account}:${attempt.address}`,
    };
    const [wait, accountFailures] = await Promise.all([this.store.remaining(keys.backoff), this.store.count(keys.account)]);
    if (wait > 0) refuse(wait);
    if (accountFailures >= this.policy.accountFailureLimit && (await this.store.count(keys.known)) === 0) refuse(await this.store.remaining(keys.account));
    let result: T;
    try {
      result = await check();
    } catch (error) {
      if (isFailure(error)) await this.failed(keys);
      throw error;
    }
    await Promise.all([this.store.forget(keys.failures, keys.backoff), this.store.mark(keys.known, knownMs)]);
    return result;
  }

  /** The owner proved control of the mailbox (a reset link): the account's count from every address starts again. */
  async recovered(realm: string, email: string): Promise<void> {
    await this.store.forget(`fail:${accountId(realm, email)}`);
  }

  private async failed(keys: { failures: string; backoff: string; account: string }): Promise<void> {
    const [failures] = await Promise.all([this.store.increment(keys.failures, failureMemoryMs), this.store.increment(keys.account, failureMemoryMs)]);
    const over = failures - this.policy.freeFailures;
    if (over > 0) await this.store.mark(keys.backoff, Math.min(maxBackoffMs, firstBackoffMs * 2 ** (over - 1)));
  }
}
