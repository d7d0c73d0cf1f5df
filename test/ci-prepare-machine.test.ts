import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// .ci/run prepares a new machine with .ci/prepare-machine; here (services up, Chromium installed, as on any
// machine after it ran once) it must find everything and change nothing.
describe('.ci/prepare-machine', () => {
  it('finds Chromium, PostgreSQL (with its test database) and Redis ready on a prepared machine, and changes nothing', () => {
    const result = spawnSync('bash', ['.ci/prepare-machine'], { encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('chromium: present\nPostgreSQL: running\nRedis: running\n');
  });
});
