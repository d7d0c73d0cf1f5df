// The limit for this stack: Fastify + better-sqlite3 doing the same queries as Causeway, nothing else
// (no validation, no query language, no logging). Works on the Causeway data file the benchmark seeded; a write
// changes the record and appends to the change log in one transaction, committed per request, with the
// durability Causeway is given (CAUSEWAY_SQLITE_SYNCHRONOUS, default full).
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const db = new Database(process.argv[2]);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${process.env.CAUSEWAY_SQLITE_SYNCHRONOUS === 'normal' ? 'NORMAL' : 'FULL'}`);
db.pragma('busy_timeout = 5000');
const byId = db.prepare('SELECT * FROM posts WHERE id = ?');
const list = db.prepare('SELECT * FROM posts WHERE views >= ? ORDER BY views DESC LIMIT 20');
const count = db.prepare('SELECT COUNT(*) AS total FROM posts WHERE views >= ?');
const first = db.prepare('SELECT * FROM posts WHERE views >= ? ORDER BY views DESC LIMIT 2');
const authors = db.prepare('SELECT * FROM authors WHERE id IN (SELECT value FROM json_each(?))');
const insert = db.prepare('INSERT INTO posts (id, created, updated, _version, title, views, published, author) VALUES (?, ?, ?, 1, ?, ?, ?, ?) RETURNING *');
const update = db.prepare('UPDATE posts SET views = ?, updated = ?, _version = _version + 1 WHERE id = ? RETURNING *');
const change = db.prepare('INSERT INTO _changes (collection, record_id, op, record, previous, created, version) VALUES (?, ?, ?, ?, ?, ?, ?)');

// Time-ordered ids, like Causeway's ULIDs: random ones would scatter inserts over the primary key's index.
let sequence = 0;
const newId = () => `${Date.now().toString(36)}${(sequence++).toString(36).padStart(10, '0')}`;

function create(body) {
  const now = new Date().toISOString();
  const row = insert.get(newId(), now, now, body.title, body.views ?? null, body.published ? 1 : 0, body.author ?? null);
  change.run('posts', row.id, 'create', JSON.stringify(row), null, now, 1);
  return row;
}
const createOne = db.transaction(create);
const createMany = db.transaction((items) => items.map(create));
const updateIfMatch = db.transaction((id, ifMatch, views) => {
  const current = byId.get(id);
  if (!current) return { status: 404 };
  if (ifMatch !== `"${current._version}"`) return { status: 412 };
  const now = new Date().toISOString();
  const row = update.get(views, now, id);
  change.run('posts', id, 'update', JSON.stringify(row), JSON.stringify(current), now, row._version);
  return { status: 200, row };
});

const app = Fastify({ logger: false });
app.get('/posts/:id', async (request, reply) => {
  const row = byId.get(request.params.id);
  return row ? reply.header('etag', `"${row._version}"`).send(row) : reply.code(404).send({ error: 'not found' });
});
app.get('/posts', async (request) => {
  const items = list.all(Number(request.query.min ?? 0));
  if (request.query.expand === 'author') {
    const found = new Map(authors.all(JSON.stringify([...new Set(items.map((i) => i.author))])).map((a) => [a.id, a]));
    for (const item of items) item.expand = { author: found.get(item.author) };
  }
  return { items };
});
// What a page with `count=true` does: the page (here of one, and one more to tell whether more follow) and the count.
app.get('/posts/count', async (request) => {
  const min = Number(request.query.min ?? 0);
  const items = first.all(min);
  return { items: items.slice(0, 1), total: count.get(min).total };
});
app.post('/posts', async (request, reply) => reply.code(201).send(createOne(request.body)));
app.post('/batch', async (request) => ({ results: createMany(request.body.operations.map((o) => o.data)) }));
app.patch('/posts/:id', async (request, reply) => {
  const { status, row } = updateIfMatch(request.params.id, request.headers['if-match'], request.body.views);
  return status === 200 ? reply.header('etag', `"${row._version}"`).send(row) : reply.code(status).send({ error: status });
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${new URL(address).port}\n`);
// Exits on SIGTERM through process.exit, so `node --cpu-prof` writes its profile.
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
