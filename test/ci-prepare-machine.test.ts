import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// .ci/run prepares a new machine with .ci/prepare-machine; here (services up, Chromium installed, as on any
// machine after it ran once) it must find everything and change nothing.
describe('.ci/prepare-machine', () => {
  // Elsewhere (no Chromium yet) the script would install it: that is for .ci/run or a person to do, not a test.
  it.runIf(process.env.CI === 'true' || existsSync('/usr/bin/chromium'))('finds Chromium, PostgreSQL (with its test database) and Redis ready on a prepared machine, and changes nothing', () => {
    const result = spawnSync('bash', ['.ci/prepare-machine'], { encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('chromium: present\nPostgreSQL: running\nRedis: running\n');
  });
});
