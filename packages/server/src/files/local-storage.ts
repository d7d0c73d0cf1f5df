import { mkdir, open, opendir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteRange, FileStorage, StoredObject } from '@causeway/core';

const partialSuffix = '.partial';

/**
 * Files in a directory (by default `storage/` in the data directory): for one machine. A write goes to a
 * `.partial` file renamed into place when the body ended, so a reader never sees half a file and a crash
 * leaves only a partial the sweep removes. Keys are made by the core from ids and checked names; they are
 * resolved under the root and refused if they would leave it all the same.
 */
export class LocalFileStorage implements FileStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private pathOf(key: string): string {
    const full = path.resolve(this.root, key);
    if (!full.startsWith(this.root + path.sep)) throw new Error(`storage key leaves the storage directory: ${key}`);
    return full;
  }

  async write(key: string, body: Readable): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.${randomUUID()}${partialSuffix}`;
    // Opened before the body flows: a stream opening its file itself could create it after a failed body was
    // already cleaned up, leaving a partial behind.
    const handle = await open(partial, 'wx');
    try {
      await pipeline(body, handle.createWriteStream());
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(key), 'r');
    } catch (error) {
      // Opened first, so a missing file is undefined rather than a stream error in the middle of a reply.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return handle.createReadStream(range ?? {});
  }

  async stat(key: string): Promise<{ size: number; modifiedMs: number } | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { size: info.size, modifiedMs: info.mtimeMs } : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => rm(this.pathOf(key), { force: true })));
  }

  async *list(prefix = ''): AsyncIterable<StoredObject> {
    const start = prefix ? this.pathOf(prefix.replace(/\/+$/, '')) : this.root;
    yield* this.walk(start);
  }

  private async *walk(dir: string): AsyncIterable<StoredObject> {
    let handle;
    try {
      handle = await opendir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for await (const entry of handle) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        yield* this.walk(full);
      } else if (entry.isFile()) {
        const info = await stat(full).catch(() => undefined);
        if (info) yield { key: path.relative(this.root, full).split(path.sep).join('/'), modifiedMs: info.mtimeMs };
      }
    }
  }
}
