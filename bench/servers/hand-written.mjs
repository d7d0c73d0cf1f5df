// The limit for this stack: Fastify + better-sqlite3 doing the same queries as Causeway, nothing else
// (no validation, no query language, no logging). Reads the Causeway data file the benchmark seeded.
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const db = new Database(process.argv[2], { readonly: true });
db.pragma('journal_mode = WAL');
const byId = db.prepare('SELECT * FROM posts WHERE id = ?');
const list = db.prepare('SELECT * FROM posts WHERE views >= ? ORDER BY views DESC LIMIT 20');
const authors = db.prepare('SELECT * FROM authors WHERE id IN (SELECT value FROM json_each(?))');

const app = Fastify({ logger: false });
app.get('/posts/:id', async (request, reply) => {
  const row = byId.get(request.params.id);
  return row ?? reply.code(404).send({ error: 'not found' });
});
app.get('/posts', async (request) => {
  const items = list.all(Number(request.query.min ?? 0));
  if (request.query.expand === 'author') {
    const found = new Map(authors.all(JSON.stringify([...new Set(items.map((i) => i.author))])).map((a) => [a.id, a]));
    for (const item of items) item.expand = { author: found.get(item.author) };
  }
  return { items };
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${new URL(address).port}\n`);
