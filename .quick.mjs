// quick: in-process server, measure get-by-id anon on open collection, and signed-in on owner rule
import autocannon from 'autocannon';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
const { createServer } = await import('/work/main/packages/server/dist/app.js');
const { loadConfig } = await import('/work/main/packages/server/dist/config/config.js');
const dataDir = mkdtempSync(path.join(tmpdir(), 'q-'));
const server = await createServer({ config: loadConfig({ dataDir, port: 0, logLevel: 'warn', passwordCost: 10, authRateLimit: 100000 }, {}) });
const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
await server.auth.createAdmin('a@example.com', 'admin passphrase x');
const admin = { kind: 'system' };
await server.collections.create({ name: 'posts', fields: [{ name: 'title', type: 'text' }], listRule: '', viewRule: '' });
await server.collections.create({ name: 'notes', fields: [{ name: 'title', type: 'text' }, { name: 'owner', type: 'relation', collection: 'users' }], listRule: 'owner = @request.auth.id', viewRule: 'owner = @request.auth.id' });
const s = await server.auth.signUp({ kind: 'anonymous' }, 'users', { email: 'u@example.com', password: 'user passphrase x' });
await server.records.create(admin, 'posts', { id: 'p1', title: 'x' });
await server.records.create(admin, 'notes', { id: 'n1', title: 'x', owner: s.record.id });
const run = (u, headers = {}) => new Promise((res) => autocannon({ url: url + u, connections: 32, duration: Number(process.argv[2] || 3), headers }, (e, r) => res(Math.round(r.requests.average) + ' req/s non2xx=' + r.non2xx)));
for (let i = 0; i < 2; i++) {
  console.log('anon open get   ', await run('/api/collections/posts/records/p1'));
  console.log('user ruled get  ', await run('/api/collections/notes/records/n1', { authorization: 'Bearer ' + s.token }));
}
await server.close();
