import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('the rate limiter', () => {
  it('refuses the attempt after the limit, per key, until the window ends', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 60_000, () => now);
    limiter.hit('ip', 'alice');
    limiter.hit('ip', 'alice');
    let refused: unknown;
    try {
      limiter.hit('ip', 'bob');
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', extra: { retryAfter: 60 } });
    expect(() => limiter.hit('other-ip', 'bob')).not.toThrow();
    now = 60_000;
    expect(() => limiter.hit('ip', 'alice')).not.toThrow();
  });
});
