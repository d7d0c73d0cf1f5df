import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileStorage } from '@causeway/core';
import { LocalFileStorage } from '../packages/server/src/files/local-storage.js';
import { S3FileStorage } from '../packages/server/src/files/s3-storage.js';
import { startTestS3, type TestS3 } from './support/s3-server.js';

// The contract every file storage adapter keeps (docs/architecture.md, Files): one suite, every implementation.
let s3: TestS3;
let dir: string;
beforeAll(async () => {
  s3 = await startTestS3();
  dir = mkdtempSync(path.join(tmpdir(), 'causeway-storage-'));
});
afterAll(async () => {
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
});

const adapters: [string, () => FileStorage][] = [
  ['local directory', () => new LocalFileStorage(dir)],
  ['S3 (s3rver)', () => new S3FileStorage({ bucket: s3.bucket, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, prefix: 'p/' })],
];

async function collect(iterable: AsyncIterable<{ key: string }>): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of iterable) keys.push(object.key);
  return keys.sort();
}

describe.each(adapters)('%s storage', (_name, make) => {
  let storage: FileStorage;
  beforeAll(() => {
    storage = make();
  });
  afterAll(() => storage.close?.());

  it('writes a stream, then stats, reads whole and reads a range', async () => {
    await storage.write('c1/r1/a_0123456789.txt', Readable.from([Buffer.from('hello '), Buffer.from('world')]), 'text/plain');
    expect((await storage.stat('c1/r1/a_0123456789.txt'))?.size).toBe(11);
    expect(await text((await storage.read('c1/r1/a_0123456789.txt'))!)).toBe('hello world');
    expect(await text((await storage.read('c1/r1/a_0123456789.txt', { start: 6, end: 10 }))!)).toBe('world');
  });

  it('answers undefined for a missing object, and deleting one is no error', async () => {
    expect(await storage.stat('c1/r1/missing.txt')).toBeUndefined();
    expect(await storage.read('c1/r1/missing.txt')).toBeUndefined();
    await storage.delete(['c1/r1/missing.txt']);
  });

  it('leaves no object when the body fails part-way', async () => {
    async function* failing() {
      yield Buffer.alloc(1024, 'x');
      throw new Error('client went away');
    }
    await expect(storage.write('c1/r2/broken_0123456789.bin', Readable.from(failing()), 'application/octet-stream')).rejects.toThrow();
    expect(await storage.stat('c1/r2/broken_0123456789.bin')).toBeUndefined();
    expect((await collect(storage.list('c1/r2/'))).filter((key) => !key.endsWith('.partial'))).toEqual([]);
  });

  it('leaves not even a partial behind when the body failed before the write began (a thumbnail that does not decode)', async () => {
    for (let i = 0; i < 50; i++) {
      const body = new PassThrough();
      body.on('error', () => undefined);
      body.destroy(new Error('not an image'));
      await expect(storage.write(`c4/r${i}/thumbs/9x9/t_0123456789.png`, body, 'image/png')).rejects.toThrow();
    }
    expect(await collect(storage.list('c4/'))).toEqual([]);
  });

  it('lists by prefix and deletes in bulk', async () => {
    const keys = ['c2/r1/x_0123456789.txt', 'c2/r1/thumbs/10x10/x_0123456789.txt', 'c2/r2/y_0123456789.txt'];
    for (const key of keys) await storage.write(key, Readable.from([Buffer.from(key)]), 'text/plain');
    expect(await collect(storage.list('c2/'))).toEqual([...keys].sort());
    expect(await collect(storage.list('c2/r1/'))).toEqual(keys.slice(0, 2).sort());
    await storage.delete(keys);
    expect(await collect(storage.list('c2/'))).toEqual([]);
  });

  it('streams a large object without holding it (8 MiB parts)', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'z');
    async function* big() {
      for (let i = 0; i < 20; i++) yield chunk;
    }
    await storage.write('c3/r1/big_0123456789.bin', Readable.from(big()), 'application/octet-stream');
    expect((await storage.stat('c3/r1/big_0123456789.bin'))?.size).toBe(20 * 1024 * 1024);
    await storage.delete(['c3/r1/big_0123456789.bin']);
  });
});
