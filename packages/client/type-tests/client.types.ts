// Compiled by `npm test` (tsc -p tsconfig.test.json): each `@ts-expect-error` must be an error, or the build fails.
import { createClient, filter } from '@causeway/client';
import type { Schema } from './schema.js';

const client = createClient<Schema>('http://127.0.0.1:8090');
const posts = client.collection('posts');

export async function typed(): Promise<void> {
  // @ts-expect-error: no such collection
  client.collection('postz');

  const page = await posts.list({ fields: ['title', 'views'], expand: ['author'] });
  const title: string = page.items[0]!.title;
  const views: number | null = page.items[0]!.views;
  const authorName: string | undefined = page.items[0]!.expand?.author?.name;
  // @ts-expect-error: not selected by `fields`
  page.items[0]!.status;
  // @ts-expect-error: not a field of posts
  await posts.list({ fields: ['titel'] });
  // @ts-expect-error: not a relation of posts
  await posts.list({ expand: ['title'] });

  const full = await posts.get('id', { expand: ['reviewers'] });
  const status: 'draft' | 'live' | null = full.status;
  const reviewers: string[] = full.reviewers;
  const firstReviewer: string | undefined = full.expand?.reviewers?.[0]?.name;

  await posts.create({ title: 'ok', status: 'live', tags: ['a'] });
  // @ts-expect-error: title is required
  await posts.create({ views: 1 });
  // @ts-expect-error: views is a number
  await posts.create({ title: 'x', views: 'many' });
  // @ts-expect-error: not one of the select's values
  await posts.update('id', { status: 'gone' });
  // @ts-expect-error: unknown field
  await posts.update('id', { nope: 1 });

  await client.batch([{ action: 'create', collection: 'authors', data: { name: 'A' } }]);
  // @ts-expect-error: authors have no title
  await client.batch([{ action: 'create', collection: 'authors', data: { title: 'A' } }]);

  const text: string = filter.and(filter.eq('title', 'a'), filter.gt('views', 1)).text;
  void [title, views, authorName, status, reviewers, firstReviewer, text];
}
