// The baseline for bench/files.mjs: what a hand-written Fastify app does with uploads and downloads, with no
// checks at all: @fastify/multipart streaming each file to disk, and @fastify/static serving a directory.
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';

const dir = process.argv[2];
mkdirSync(dir, { recursive: true });
const app = Fastify();
await app.register(multipart, { limits: { fileSize: 4 * 1024 ** 3 } });
await app.register(fastifyStatic, { root: dir, prefix: '/static/' });
app.post('/upload', async (request) => {
  const names = [];
  for await (const part of request.parts()) {
    if (part.type !== 'file') continue;
    const name = `${randomUUID()}-${path.basename(part.filename)}`;
    await pipeline(part.file, createWriteStream(path.join(dir, name)));
    names.push(name);
  }
  return { names };
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening ${new URL(address).port}`);
