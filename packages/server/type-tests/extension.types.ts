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

// The worked examples of docs/extending.md, against the schema `causeway types` writes for them.
type ShopSchema = {
  products: {
    record: { id: string; created: string; updated: string; name: string; stock: number | null };
    create: { id?: string; name: string; stock?: number | null };
    update: { name?: string; stock?: number | null };
    relations: {};
    multiple: {};
  };
  orders: {
    record: { id: string; created: string; updated: string; product: string; quantity: number };
    create: { id?: string; product: string; quantity: number };
    update: { product?: string; quantity?: number };
    relations: { product: 'products' };
    multiple: {};
  };
  posts: {
    record: { id: string; created: string; updated: string; title: string; slug: string | null };
    create: { id?: string; title: string; slug?: string | null };
    update: { title?: string; slug?: string | null };
    relations: {};
    multiple: {};
  };
};

export const shop = defineExtension<ShopSchema>((causeway) => {
  const slugify = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  causeway.beforeCreate('posts', ({ data }) => { data.slug = slugify(data.title); });
  causeway.beforeUpdate('posts', ({ data }) => { if (data.title !== undefined) data.slug = slugify(data.title); });

  causeway.beforeCreate('orders', async ({ data, records }) => {
    const product = await records.get('products', data.product);
    const stock = product.stock ?? 0;
    if (data.quantity > stock) {
      throw causeway.refuse('VALIDATION_FAILED', 'Not enough stock.', { quantity: `only ${stock} left` });
    }
    await records.asAdmin().update('products', product.id, { stock: stock - data.quantity });
    // @ts-expect-error: products has no field 'stok'
    await records.asAdmin().update('products', product.id, { stok: 1 });
    // @ts-expect-error: there is no collection 'prodcts'
    await records.get('prodcts', data.product);
    const page = await records.list('orders', { filter: `product = "${product.id}"` });
    const quantities: number[] = page.items.map((order) => order.quantity);
    void quantities;
  });
});
