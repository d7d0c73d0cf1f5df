import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3, type TestS3 } from './s3-server.js';
import { anonymous, bearer, signUp, type Account } from './accounts.js';
import { signingKey } from './signing-key.js';
import { startTestServer, type Json, type TestResponse, type TestServer } from './test-server.js';

/** A 1×1 PNG. */
export const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const namePattern = /^[A-Za-z0-9][A-Za-z0-9_-]*_[a-z0-9]{10}\.[a-z0-9]+$/;

/**
 * The REST scenarios of file fields (docs/rest.md, Files), run by test/files.test.ts on the local directory and by
 * test/files-s3.test.ts on an S3-compatible server (s3rver), each on both databases.
 */
export function fileScenarios(storage: 'local' | 's3'): void {
  let s3: TestS3 | undefined;
  let t: TestServer;
  let ann: Account;
  let bob: Account;

  type Part = { json: Record<string, unknown> } | { field: string; name: string; bytes: Buffer | string };

  /** Sends a multipart create or update; parts go in the order given. */
  async function send(method: string, pathname: string, parts: Part[], headers: Record<string, string>): Promise<TestResponse> {
    const form = new FormData();
    for (const part of parts) {
      if ('json' in part) form.append('@json', JSON.stringify(part.json));
      else form.append(part.field, new Blob([typeof part.bytes === 'string' ? part.bytes : new Uint8Array(part.bytes)]), part.name);
    }
    const response = await fetch(t.url + pathname, { method, body: form, headers });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** Every object in the storage, as keys. */
  async function storedKeys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const object of t.server.storage.list()) keys.push(object.key);
    return keys.sort();
  }

  const docs = '/api/collections/docs/records';

  beforeAll(async () => {
    if (storage === 's3') s3 = await startTestS3();
    t = await startTestServer(s3 ? { config: s3.config } : {});
    const created = await t.request('POST', '/api/collections', {
      name: 'docs',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'owner', type: 'relation', collection: 'users' },
        { name: 'avatar', type: 'file', maxSize: 1000, mimeTypes: ['image/*'] },
        { name: 'attachments', type: 'file', multiple: true, maxFiles: 3, maxSize: 100_000 },
        { name: 'secret', type: 'file', protected: true },
        { name: 'internal', type: 'file', hidden: true },
        { name: 'adminOnly', type: 'file', visibility: 'admins' },
        { name: 'photo', type: 'file', maxSize: 1_000_000, mimeTypes: ['image/*'], thumbs: ['100x100', '0x50'] },
      ],
      listRule: 'owner = @request.auth.id',
      viewRule: 'owner = @request.auth.id || title = "public"',
      createRule: '@request.auth.id != "" && @request.body.owner = @request.auth.id',
      updateRule: 'owner = @request.auth.id',
      deleteRule: 'owner = @request.auth.id',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    ann = await signUp(t, 'ann@example.com');
    bob = await signUp(t, 'bob@example.com');
  });
  afterAll(async () => {
    await t.stop();
    await s3?.stop();
  });

  async function annDoc(parts: Part[], title = 'doc'): Promise<Json> {
    const response = await send('POST', docs, [{ json: { title, owner: ann.id } }, ...parts], ann.auth);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  }

  const fileUrl = (record: Json, name: string) => `/api/files/docs/${record.id}/${name}`;

  describe('uploading files with a record', () => {
    it('stores a file under a sanitised name with the sniffed extension and serves it back', async () => {
      const before = (await storedKeys()).length;
      const record = await annDoc([{ field: 'avatar', name: '../../etc/Pässwörd file.gif', bytes: png }]);
      expect(record.avatar).toMatch(namePattern);
      expect(record.avatar).toMatch(/^Password_file_[a-z0-9]{10}\.png$/);
      expect(record.attachments).toEqual([]);
      expect(await storedKeys()).toHaveLength(before + 1);
      const download = await fetch(t.url + fileUrl(record, record.avatar), { headers: ann.auth });
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer())).toEqual(png);
      expect(download.headers.get('content-type')).toBe('image/png');
      expect(download.headers.get('content-length')).toBe(String(png.length));
      expect(download.headers.get('etag')).toBe(`"${record.avatar}"`);
      expect(download.headers.get('x-content-type-options')).toBe('nosniff');
      expect(download.headers.get('content-disposition')).toBe(`inline; filename="${record.avatar}"`);
    });

    it('appends to a multiple field, keeps what the body lists, and frees what it drops', async () => {
      const record = await annDoc([
        { field: 'attachments', name: 'a.txt', bytes: 'first' },
        { field: 'attachments', name: 'b.txt', bytes: 'second' },
      ]);
      expect(record.attachments).toHaveLength(2);
      const [first, second] = record.attachments as string[];
      const added = await send('PATCH', `${docs}/${record.id}`, [{ json: { attachments: [second] } }, { field: 'attachments', name: 'c.txt', bytes: 'third' }], ann.auth);
      expect(added.status, JSON.stringify(added.body)).toBe(200);
      expect(added.body.attachments).toHaveLength(2);
      expect(added.body.attachments[0]).toBe(second);
      await expect.poll(async () => (await storedKeys()).some((key) => key.endsWith(first!))).toBe(false);
      expect((await fetch(t.url + fileUrl(record, first!), { headers: ann.auth })).status).toBe(404);
      const third = added.body.attachments[1];
      expect(await (await fetch(t.url + fileUrl(record, third), { headers: ann.auth })).text()).toBe('third');
    });

    it('replaces a single file and deletes the old object; null removes it', async () => {
      const record = await annDoc([{ field: 'avatar', name: 'one.png', bytes: png }]);
      const replaced = await send('PATCH', `${docs}/${record.id}`, [{ field: 'avatar', name: 'two.png', bytes: png }], ann.auth);
      expect(replaced.status).toBe(200);
      expect(replaced.body.avatar).not.toBe(record.avatar);
      await expect.poll(async () => (await storedKeys()).some((key) => key.endsWith(record.avatar))).toBe(false);
      const removed = await t.request('PATCH', `${docs}/${record.id}`, { avatar: null }, ann.auth);
      expect(removed.body.avatar).toBeNull();
      await expect.poll(async () => (await storedKeys()).some((key) => key.includes(record.id))).toBe(false);
    });

    it('deletes every stored file of a deleted record', async () => {
      const record = await annDoc([{ field: 'avatar', name: 'a.png', bytes: png }, { field: 'attachments', name: 'x.txt', bytes: 'x' }]);
      expect((await storedKeys()).filter((key) => key.includes(record.id))).toHaveLength(2);
      expect((await t.request('DELETE', `${docs}/${record.id}`, undefined, ann.auth)).status).toBe(204);
      await expect.poll(async () => (await storedKeys()).filter((key) => key.includes(record.id))).toEqual([]);
    });

    it('filters on file fields: is null for none, ~ for a name in a list', async () => {
      const record = await annDoc([{ field: 'attachments', name: 'find-me.txt', bytes: 'x' }], 'filterable');
      const none = await t.request('GET', `${docs}?filter=${encodeURIComponent('title = "filterable" && avatar is null && attachments is not null')}`, undefined, ann.auth);
      expect(none.body.items.map((r: Json) => r.id)).toEqual([record.id]);
      const named = await t.request('GET', `${docs}?filter=${encodeURIComponent(`attachments ~ "${record.attachments[0]}"`)}`, undefined, ann.auth);
      expect(named.body.items.map((r: Json) => r.id)).toEqual([record.id]);
    });
  });

  describe('uploads the field refuses, leaving nothing stored', () => {
    const cases: { what: string; parts: Part[]; field: string; code: string; status?: number }[] = [
      { what: 'a file over maxSize', parts: [{ field: 'avatar', name: 'big.png', bytes: Buffer.concat([png, Buffer.alloc(2000)]) }], field: 'avatar', code: 'file_too_large' },
      { what: 'a type the field does not take', parts: [{ field: 'avatar', name: 'a.png', bytes: 'just text' }], field: 'avatar', code: 'file_type' },
      { what: 'HTML claiming to be a PNG', parts: [{ field: 'avatar', name: 'evil.png', bytes: '<html><script>alert(1)</script></html>' }], field: 'avatar', code: 'file_type' },
      { what: 'an empty file', parts: [{ field: 'attachments', name: 'empty.txt', bytes: '' }], field: 'attachments', code: 'empty_file' },
      { what: 'more files than maxFiles', parts: ['1', '2', '3', '4'].map((n) => ({ field: 'attachments', name: `${n}.txt`, bytes: n })), field: 'attachments', code: 'too_many_files' },
      { what: 'two files in a single field', parts: [{ field: 'avatar', name: 'a.png', bytes: png }, { field: 'avatar', name: 'b.png', bytes: png }], field: 'avatar', code: 'too_many_files' },
      { what: 'a file in a text field', parts: [{ field: 'title', name: 'a.txt', bytes: 'x' }], field: 'title', code: 'not_a_file_field' },
      { what: 'a file in a hidden field', parts: [{ field: 'internal', name: 'a.txt', bytes: 'x' }], field: 'internal', code: 'not_a_file_field' },
      { what: 'a file in no field', parts: [{ field: 'nope', name: 'a.txt', bytes: 'x' }], field: 'nope', code: 'not_a_file_field' },
    ];

    it.each(cases)('$what → $code', async ({ parts, field, code }) => {
      const before = await storedKeys();
      const response = await send('POST', docs, [{ json: { title: 'refused', owner: ann.id } }, ...parts], ann.auth);
      expect(response.status, JSON.stringify(response.body)).toBe(422);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors[field].code).toBe(code);
      expect(await storedKeys()).toEqual(before);
    });

    it('deletes the uploads when the record write itself is refused (the create rule)', async () => {
      const before = await storedKeys();
      const response = await send('POST', docs, [{ json: { title: 'not mine', owner: bob.id } }, { field: 'avatar', name: 'a.png', bytes: png }], ann.auth);
      expect(response.status).toBe(403);
      expect(await storedKeys()).toEqual(before);
    });

    it("refuses a body naming another record's file, so nobody can attach what they cannot read", async () => {
      const bobs = await send('POST', docs, [{ json: { title: 'bob', owner: bob.id } }, { field: 'attachments', name: 'private.txt', bytes: 'bob only' }], bob.auth);
      const mine = await annDoc([]);
      const response = await t.request('PATCH', `${docs}/${mine.id}`, { attachments: bobs.body.attachments }, ann.auth);
      expect(response.status).toBe(422);
      expect(response.body.errors.attachments.code).toBe('unknown_file');
      const created = await t.request('POST', docs, { title: 'x', owner: ann.id, avatar: 'made_up_0123456789.png' }, ann.auth);
      expect(created.body.errors.avatar.code).toBe('unknown_file');
    });

    it('answers a malformed multipart body 400 and too many parts 413, never 500', async () => {
      const malformed = await fetch(t.url + docs, { method: 'POST', headers: { ...ann.auth, 'content-type': 'multipart/form-data; boundary=xyz' }, body: '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated' });
      expect(malformed.status).toBe(400);
      const form = new FormData();
      for (let i = 0; i < 300; i++) form.append(`f${i}`, 'x');
      const many = await fetch(t.url + docs, { method: 'POST', headers: ann.auth, body: form });
      expect(many.status).toBe(413);
      expect((await many.json()).code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('answers a bad @json part as MALFORMED_JSON', async () => {
      const form = new FormData();
      form.append('@json', '{nope');
      const response = await fetch(t.url + docs, { method: 'POST', headers: ann.auth, body: form });
      expect(response.status).toBe(400);
      expect((await response.json()).code).toBe('MALFORMED_JSON');
    });
  });

  describe('downloads under the record’s rules', () => {
    let record: Json;
    beforeAll(async () => {
      record = await annDoc([{ field: 'attachments', name: 'notes.txt', bytes: '0123456789' }]);
    });

    it('refuses callers who cannot view the record as if the file did not exist', async () => {
      const name = record.attachments[0];
      for (const headers of [anonymous, bob.auth]) {
        const response = await t.request('GET', fileUrl(record, name), undefined, headers);
        expect(response.status).toBe(404);
      }
    });

    it('never serves a hidden field’s files, even to the owner', async () => {
      const key = `${(await t.request('GET', '/api/collections/docs')).body.id}/${record.id}/hidden_0123456789.txt`;
      await t.server.storage.write(key, (await import('node:stream')).Readable.from([Buffer.from('secret')]), 'text/plain');
      const q = t.server.db.dialect;
      await t.server.db.run(`UPDATE docs SET internal = ${q.placeholder(1)} WHERE id = ${q.placeholder(2)}`, ['hidden_0123456789.txt', record.id]);
      const response = await t.request('GET', fileUrl(record, 'hidden_0123456789.txt'), undefined, ann.auth);
      expect(response.status).toBe(404);
    });

    it("never serves a file of a field the caller may not read (visibility), while an admin may", async () => {
      const doc = await annDoc([]);
      const uploaded = await send('PATCH', `${docs}/${doc.id}`, [{ field: 'adminOnly', name: 'report.txt', bytes: 'for admins' }], { authorization: `Bearer ${t.adminToken}` });
      expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
      const name = uploaded.body.adminOnly;
      expect((await t.request('GET', `${docs}/${doc.id}`, undefined, ann.auth)).body.adminOnly).toBeUndefined();
      expect((await t.request('GET', fileUrl(doc, name), undefined, ann.auth)).status).toBe(404);
      const { token } = (await t.request('POST', '/api/files/token', undefined, ann.auth)).body;
      expect((await t.request('GET', `${fileUrl(doc, name)}?token=${token}`, undefined, anonymous)).status).toBe(404);
      const admin = await t.request('GET', fileUrl(doc, name));
      expect(admin.status).toBe(200);
      expect(admin.body).toBe('for admins');
    });

    it('serves byte ranges, and 416 past the end', async () => {
      const url = t.url + fileUrl(record, record.attachments[0]);
      const part = await fetch(url, { headers: { ...ann.auth, range: 'bytes=2-5' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe('bytes 2-5/10');
      expect(part.headers.get('content-length')).toBe('4');
      expect(await part.text()).toBe('2345');
      const suffix = await fetch(url, { headers: { ...ann.auth, range: 'bytes=-3' } });
      expect(await suffix.text()).toBe('789');
      const past = await fetch(url, { headers: { ...ann.auth, range: 'bytes=10-' } });
      expect(past.status).toBe(416);
      expect((await past.json()).code).toBe('RANGE_NOT_SATISFIABLE');
      expect(past.headers.get('content-range')).toBe('bytes */10');
      const notModified = await fetch(url, { headers: { ...ann.auth, 'if-none-match': `"${record.attachments[0]}"` } });
      expect(notModified.status).toBe(304);
    });

    it('serves active content (SVG as XML, HTML) as an attachment under a sandbox', async () => {
      const svg = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
      const doc = await annDoc([{ field: 'attachments', name: 'x.svg', bytes: svg }]);
      expect(doc.attachments[0]).toMatch(/\.xml$/);
      const response = await fetch(t.url + fileUrl(doc, doc.attachments[0]), { headers: ann.auth });
      expect(response.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(response.headers.get('content-security-policy')).toContain('sandbox');
      expect(await response.text()).toBe(svg);
      const html = await annDoc([{ field: 'attachments', name: 'x.html', bytes: '<html><script>alert(1)</script></html>' }]);
      const page = await fetch(t.url + fileUrl(html, html.attachments[0]), { headers: ann.auth });
      // Sniffed as text: shown as text, never parsed as a page.
      expect(page.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      await page.arrayBuffer();
    });
  });

  describe('protected files and file tokens', () => {
    let record: Json;
    beforeAll(async () => {
      record = await annDoc([{ field: 'secret', name: 's.txt', bytes: 'top secret' }], 'public');
    });
    const url = () => fileUrl(record, record.secret);

    it('needs a signed-in caller even where the view rule is public', async () => {
      expect((await t.request('GET', url(), undefined, anonymous)).status).toBe(401);
      expect((await t.request('GET', url(), undefined, bob.auth)).status).toBe(200);
    });

    it('downloads with a file token in the query, as the account that asked for it', async () => {
      const issued = await t.request('POST', '/api/files/token', undefined, ann.auth);
      expect(issued.status).toBe(200);
      expect(issued.body.expiresIn).toBeGreaterThan(0);
      const response = await t.request('GET', `${url()}?token=${issued.body.token}`, undefined, anonymous);
      expect(response.status).toBe(200);
      expect(response.body).toBe('top secret');
    });

    it("does not let one account's token reach records only another may view", async () => {
      const annOnly = await annDoc([{ field: 'secret', name: 'mine.txt', bytes: 'ann only' }]);
      const { token } = (await t.request('POST', '/api/files/token', undefined, bob.auth)).body;
      expect((await t.request('GET', `${fileUrl(annOnly, annOnly.secret)}?token=${token}`, undefined, anonymous)).status).toBe(404);
    });

    it('refuses anonymous token requests, forged, expired and access tokens', async () => {
      expect((await t.request('POST', '/api/files/token', undefined, anonymous)).status).toBe(401);
      const key = await signingKey(t);
      const claims = { realm: 'users', sid: 'x', typ: 'file' };
      const expired = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: key.kid }).setSubject(ann.id).setIssuer('causeway').setIssuedAt(1000).setExpirationTime(1060).sign(key.secret);
      const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: key.kid }).setSubject(ann.id).setIssuer('causeway').setExpirationTime('1h').sign(new Uint8Array(32));
      for (const token of [expired, forged, ann.token, 'garbage']) {
        const response = await t.request('GET', `${url()}?token=${token}`, undefined, anonymous);
        expect(response.status, token).toBe(401);
        expect(response.body.code).toBe('INVALID_TOKEN');
      }
      // A file token is not an access token.
      const { token } = (await t.request('POST', '/api/files/token', undefined, ann.auth)).body;
      expect((await t.request('GET', docs, undefined, bearer(token))).status).toBe(401);
    });
  });

  describe('the orphan sweep', () => {
    it('deletes objects no record holds once older than the grace period, and keeps every held file', async () => {
      const held = await annDoc([{ field: 'attachments', name: 'keep.txt', bytes: 'keep' }]);
      const collectionId = (await t.request('GET', '/api/collections/docs')).body.id;
      const { Readable } = await import('node:stream');
      const orphan = `${collectionId}/${held.id}/orphan_0123456789.txt`;
      const gone = `${collectionId}/no-such-record/x_0123456789.txt`;
      for (const key of [orphan, gone, 'stray/file']) await t.server.storage.write(key, Readable.from([Buffer.from('x')]), 'text/plain');
      // Not yet older than the grace period (an upload that may still be committing): kept.
      expect(await t.server.sweepFiles()).toBe(0);
      // Two hours on, past the grace period.
      const removed = await t.server.sweepFiles(Date.now() + 2 * 3600_000);
      expect(removed).toBeGreaterThanOrEqual(3);
      const keys = await storedKeys();
      expect(keys.some((key) => key.endsWith(held.attachments[0]))).toBe(true);
      expect(keys.some((key) => key.includes('orphan_') || key.includes('no-such-record') || key.startsWith('stray'))).toBe(false);
    });
  });

  describe('file field definitions', () => {
    it('fills in defaults: single, 10 MiB', async () => {
      const created = await t.request('POST', '/api/collections', { name: 'defaults', fields: [{ name: 'f', type: 'file' }] });
      expect(created.body.fields[0]).toMatchObject({ type: 'file', multiple: false, maxSize: 10 * 1024 * 1024 });
    });

    it.each([
      [{ unique: true }, 'fields.0', 'unique'],
      [{ maxFiles: 2 }, 'fields.0', 'max_files'],
      [{ thumbs: ['0x0'] }, 'fields.0', 'thumbs'],
      [{ thumbs: ['big'] }, 'fields.0.thumbs.0', undefined],
      [{ mimeTypes: ['image'] }, 'fields.0.mimeTypes.0', undefined],
      [{ maxSize: 0 }, 'fields.0.maxSize', undefined],
      [{ default: 'x' }, 'fields.0', undefined],
    ])('refuses %j', async (options, key, code) => {
      const response = await t.request('POST', '/api/collections', { name: 'refused', fields: [{ name: 'f', type: 'file', ...options }] });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('INVALID_SCHEMA');
      expect(Object.keys(response.body.errors).some((k) => k.startsWith(key))).toBe(true);
      if (code) expect(response.body.errors[key].code).toBe(code);
    });
  });

  describe('thumbnails', () => {
    it('makes a declared size on first request, keeps it, and deletes it with its file', async () => {
      const { default: sharp } = await import('sharp');
      const image = await sharp({ create: { width: 400, height: 300, channels: 3, background: 'red' } }).png().toBuffer();
      const record = await annDoc([{ field: 'photo', name: 'big.png', bytes: image }]);
      const url = `${t.url}${fileUrl(record, record.photo)}`;
      const square = await fetch(`${url}?thumb=100x100`, { headers: ann.auth });
      expect(square.status).toBe(200);
      expect(square.headers.get('content-type')).toBe('image/png');
      expect(square.headers.get('etag')).toBe(`"100x100-${record.photo}"`);
      expect(await sharp(Buffer.from(await square.arrayBuffer())).metadata()).toMatchObject({ width: 100, height: 100, format: 'png' });
      const tall = await fetch(`${url}?thumb=0x50`, { headers: ann.auth });
      expect(await sharp(Buffer.from(await tall.arrayBuffer())).metadata()).toMatchObject({ width: 67, height: 50 });
      expect((await storedKeys()).filter((key) => key.includes('/thumbs/'))).toEqual(expect.arrayContaining([expect.stringContaining(`thumbs/100x100/${record.photo}`), expect.stringContaining(`thumbs/0x50/${record.photo}`)]));
      const again = await fetch(`${url}?thumb=100x100`, { headers: ann.auth });
      expect((await again.arrayBuffer()).byteLength).toBe(Number(square.headers.get('content-length')));
      const undeclared = await fetch(`${url}?thumb=10x10`, { headers: ann.auth });
      expect(undeclared.status).toBe(400);
      expect((await undeclared.json()).code).toBe('INVALID_QUERY');
      expect((await t.request('PATCH', `${docs}/${record.id}`, { photo: null }, ann.auth)).status).toBe(200);
      await expect.poll(async () => (await storedKeys()).filter((key) => key.includes(record.id))).toEqual([]);
    });

    it('never makes one of a file that is not an image, and refuses an image that does not decode', async () => {
      const text = await annDoc([{ field: 'attachments', name: 'plain.txt', bytes: 'not an image' }]);
      const original = await fetch(`${t.url}${fileUrl(text, text.attachments[0])}?thumb=100x100`, { headers: ann.auth });
      expect(await original.text()).toBe('not an image');
      expect((await storedKeys()).some((key) => key.includes(`${text.id}/thumbs`))).toBe(false);
      const broken = await annDoc([{ field: 'photo', name: 'broken.png', bytes: Buffer.concat([png.subarray(0, 40), Buffer.alloc(200, 7)]) }]);
      const response = await fetch(`${t.url}${fileUrl(broken, broken.photo)}?thumb=100x100`, { headers: ann.auth });
      expect(response.status).toBe(422);
      expect((await response.json()).code).toBe('VALIDATION_FAILED');
      expect((await storedKeys()).some((key) => key.includes(`${broken.id}/thumbs`))).toBe(false);
    });
  });

  describe('GraphQL', () => {
    it('returns file fields as objects with name, type, url and size (uploads go through REST)', async () => {
      const record = await annDoc([{ field: 'avatar', name: 'g.png', bytes: png }, { field: 'attachments', name: 'g.txt', bytes: 'g' }], 'graphql');
      const response = await t.request('POST', '/api/graphql', { query: `{ docs(filter: "title = 'graphql'") { edges { node { avatar { name type url size } attachments { name type } } } } }` }, ann.auth);
      expect(response.body.errors).toBeUndefined();
      const node = response.body.data.docs.edges[0].node;
      expect(node.avatar).toEqual({ name: record.avatar, type: 'image/png', url: `/api/files/docs/${record.id}/${record.avatar}`, size: png.length });
      expect(node.attachments).toEqual([{ name: record.attachments[0], type: 'text/plain' }]);
      const download = await fetch(t.url + node.avatar.url, { headers: ann.auth });
      expect(Buffer.from(await download.arrayBuffer())).toEqual(png);
    });
  });

  describe('realtime', () => {
    it("delivers a multipart write's event with the stored names, under the view rule", async () => {
      const { connect } = await import('./realtime-client.js');
      const annSocket = await connect(t, ann.token);
      const bobSocket = await connect(t, bob.token);
      try {
        for (const socket of [annSocket, bobSocket]) {
          socket.send({ type: 'subscribe', sub: 'd', kind: 'collection', collection: 'docs' });
          await socket.next((m) => m.type === 'subscribed');
        }
        const record = await annDoc([{ field: 'attachments', name: 'live.txt', bytes: 'live' }], 'live');
        const event = await annSocket.next((m) => m.type === 'event' && m.record.id === record.id);
        expect(event.record.attachments).toEqual(record.attachments);
        expect(event.record.internal).toBeUndefined();
        await bobSocket.sync();
        expect(bobSocket.received.some((m: Json) => m.type === 'event' && m.record.id === record.id)).toBe(false);
      } finally {
        await annSocket.close();
        await bobSocket.close();
      }
    });
  });

  describe('the client', () => {
    it('uploads with progress, updates with more files, and builds file URLs that download', async () => {
      const { createClient } = await import('@causeway/client');
      const client = createClient(t.url);
      await client.auth.signIn(ann.email, ann.password);
      const docsApi = client.collection('docs');
      const progress: { loaded: number; total: number }[] = [];
      const big = new Blob([Buffer.alloc(300_000, 'a').toString()], { type: 'text/plain' });
      const record = await docsApi.upload({ avatar: new File([new Uint8Array(png)], 'me.png'), attachments: [new File(['hello'], 'hello.txt')] }, {
        data: { title: 'via client', owner: ann.id },
        onProgress: (p) => progress.push(p),
      });
      expect(record.avatar).toMatch(/^me_[a-z0-9]{10}\.png$/);
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.at(-1)!.loaded).toBe(progress.at(-1)!.total);
      const avatar = await fetch(docsApi.fileUrl(record, record.avatar as string), { headers: { authorization: `Bearer ${client.transport.session!.token}` } });
      expect(Buffer.from(await avatar.arrayBuffer())).toEqual(png);

      const tooMany = docsApi.upload({ attachments: [big, big, big, big] }, { id: record.id });
      await expect(tooMany).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      const updated = await docsApi.upload({ attachments: new File(['more'], 'more.txt') }, { id: record.id });
      expect(updated.attachments).toHaveLength(2);

      const secret = await docsApi.upload({ secret: new File(['s'], 's.txt') }, { id: record.id });
      const { token } = await client.fileToken();
      const download = await fetch(docsApi.fileUrl(secret, secret.secret as string, { token }));
      expect(await download.text()).toBe('s');
    });
  });
}
