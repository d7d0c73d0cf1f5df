import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './rate-limiter.js';

describe('the rate limiter', () => {
  it('refuses the attempt after the limit, per key, until the window ends', async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(2, 60_000, () => now);
    await limiter.hit('ip', 'alice');
    await limiter.hit('ip', 'alice');
    await expect(limiter.hit('ip', 'bob')).rejects.toMatchObject({ code: 'RATE_LIMITED', extra: { retryAfter: 60 } });
    await expect(limiter.hit('other-ip', 'bob')).resolves.toBeUndefined();
    now = 60_000;
    await expect(limiter.hit('ip', 'alice')).resolves.toBeUndefined();
  });
});
