// The reference a Causeway create on PostgreSQL is measured against: a hand-written Fastify route that inserts the
// row and an outbox row (what a change log is) in one transaction per request, on a pool of 10 connections (as
// Causeway's default), with postgres.js. Started by bench/postgres-writes.mjs: node … <port> <database url>.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import postgres from 'postgres';

const [port, url] = process.argv.slice(2);
const schema = new URL(url).searchParams.get('schema');
const connection = new URL(url);
connection.searchParams.delete('schema');
const sql = postgres(connection.toString(), { max: 10, onnotice: () => undefined, connection: { search_path: schema } });
await sql.unsafe(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
await sql.unsafe('CREATE TABLE IF NOT EXISTS items (id text PRIMARY KEY, title text, views integer, created text NOT NULL)');
await sql.unsafe('CREATE TABLE IF NOT EXISTS outbox (seq bigserial PRIMARY KEY, collection text NOT NULL, record_id text NOT NULL, op text NOT NULL, data text NOT NULL, at text NOT NULL)');

const app = Fastify({ logger: false });
app.post('/items', async (request, reply) => {
  const { title, views } = request.body ?? {};
  if (typeof title !== 'string' || !Number.isInteger(views)) return reply.code(422).send({ error: 'title and views' });
  const record = { id: randomUUID(), title, views, created: new Date().toISOString() };
  await sql.begin(async (tx) => {
    await tx`INSERT INTO items (id, title, views, created) VALUES (${record.id}, ${title}, ${views}, ${record.created})`;
    await tx`INSERT INTO outbox (collection, record_id, op, data, at) VALUES ('items', ${record.id}, 'create', ${JSON.stringify(record)}, ${record.created})`;
  });
  return reply.code(201).send(record);
});
app.get('/health', async () => ({ ok: true }));
await app.listen({ port: Number(port), host: '127.0.0.1' });
