// Compiled by `npm run typecheck` (tsc -p tsconfig.test.json): each `@ts-expect-error` must be an error, or the build
// fails. The schema is the one `causeway types` writes (test/client.test.ts checks it is the generator's output).
import { defineExtension } from '@causeway/server';
import type { Schema } from '../../client/type-tests/schema.js';

export default defineExtension<Schema>((causeway) => {
  causeway.beforeCreate('posts', ({ data }) => {
    data.title = data.title.trim();
    data.status = 'draft';
    // @ts-expect-error: posts has no field 'titel'
    data.titel = 'x';
    // @ts-expect-error: views is a number
    data.views = 'many';
  });
  // @ts-expect-error: there is no collection 'postz'
  causeway.beforeCreate('postz', () => undefined);
  causeway.beforeUpdate('posts', ({ data, record }) => {
    const title: string | undefined = data.title;
    void title;
    void record?.id;
  });
  causeway.afterCreate('posts', async ({ record, records }) => {
    const title: string = record.title;
    // @ts-expect-error: a post record has no 'titel'
    void record.titel;
    await records.asAdmin().create('authors', { name: title });
  });
  causeway.afterDelete('authors', ({ record }) => void record.name);
  causeway.beforeCreate('*', ({ collection, data }) => {
    // Every collection: the data is an open record.
    data[`${collection}_seen`] = true;
  });
  causeway.afterCommit('posts', (change) => {
    const seq: number = change.seq;
    void seq;
  });
  // @ts-expect-error: there is no collection 'postz'
  causeway.afterCommit('postz', () => undefined);
  causeway.beforeSignUp('users', ({ data }) => {
    data.name = 'a name';
    // @ts-expect-error: users has no field 'nickname'
    data.nickname = 'x';
  });
  causeway.afterSignIn('users', ({ record }) => void record.email);
  causeway.beforeMail(({ message }) => {
    message.subject = `[Acme] ${message.subject}`;
  });
  causeway.beforeDelete('posts', () => {
    throw causeway.refuse('FORBIDDEN', 'Posts are kept.');
  });
  // @ts-expect-error: not a code of the error catalogue
  causeway.refuse('NOPE', 'x');
});
