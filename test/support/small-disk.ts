import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A real, small file system (tmpfs) for disk-full tests: mounting one needs root, so `mountSmallDisk` answers
 * undefined elsewhere and the tests that need one skip.
 */
export interface SmallDisk {
  dir: string;
  /** Fills the free space with a file of its own, leaving `leaveBytes`. */
  fill(leaveBytes?: number): void;
  /** Deletes that file: the space is back. */
  free(): void;
  unmount(): void;
}

export function canMount(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0;
}

export function mountSmallDisk(sizeBytes: number, owner?: { uid: number; gid: number }): SmallDisk | undefined {
  if (!canMount()) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'causeway-small-disk-'));
  const ownership = owner ? `,uid=${owner.uid},gid=${owner.gid}` : '';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755${ownership}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  const ballast = path.join(dir, 'ballast');
  return {
    dir,
    fill(leaveBytes = 0) {
      const fd = openSync(ballast, 'a');
      const chunk = Buffer.alloc(4096, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch {
        // ENOSPC: full.
      } finally {
        closeSync(fd);
      }
      if (leaveBytes > 0) execFileSync('truncate', ['-s', `-${leaveBytes}`, ballast]);
    },
    free() {
      rmSync(ballast, { force: true });
    },
    unmount() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A read-only directory: a read-only mount as root (root writes through permissions), else mode 0555. */
export function readOnlyDirectory(): { dir: string; release(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'causeway-read-only-'));
  if (canMount()) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    return {
      dir,
      release() {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  execFileSync('chmod', ['0555', dir]);
  return {
    dir,
    release() {
      execFileSync('chmod', ['0755', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
