// Compiled by `npm test` (tsc -p tsconfig.test.json): each `@ts-expect-error` must be an error, or the build fails.
import { createClient, filter, type CausewayError, type ErrorCode, type Problem } from '@causeway/client';
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

export async function sorts(): Promise<void> {
  await posts.list({ sort: '-created,title' });
  await posts.list({ sort: '+views, -title' as string });
  // @ts-expect-error: misspelled field in sort
  await posts.list({ sort: '-titel' });
  // @ts-expect-error: misspelled second key
  await posts.list({ sort: 'title,-viewz' });
  // @ts-expect-error: a list field cannot be sorted by
  await posts.list({ sort: 'tags' });
  // @ts-expect-error: misspelled field in a live query's sort
  client.realtime.liveQuery('posts', { sort: '-titel' }, () => undefined);
  for await (const post of posts.iterate({ sort: 'views' })) void post;
  // @ts-expect-error: misspelled field in iterate's sort
  for await (const post of posts.iterate({ sort: 'veiws' })) void post;
}

export async function filters(): Promise<void> {
  await posts.list({ filter: 'title = "a" && (views > 1 || published = true) && author.name ~ "ann"' });
  // A field name inside a string value is not a comparison.
  await posts.list({ filter: 'title = "a && titel = 1"' });
  await posts.list({ filter: 'owner = @request.auth.id && status is not null' });
  await posts.list({ filter: String('anything at all') });
  // @ts-expect-error: misspelled field in filter text
  await posts.list({ filter: 'titel = "a"' });
  // @ts-expect-error: misspelled field after &&
  await posts.list({ filter: 'title = "a" && veiws > 1' });
  // @ts-expect-error: misspelled field after || inside parentheses
  await posts.list({ filter: '(published = true || !(veiws in [1, 2]))' });
  // @ts-expect-error: misspelled field in a subscription's filter
  client.realtime.subscribe('posts', { filter: 'titel = "a"' }, { onChange: () => undefined });
  // @ts-expect-error: misspelled field in a live query's filter
  client.realtime.liveQuery('posts', { filter: 'published = true && titel ~ "x"' }, () => undefined);

  await posts.list({ filter: filter.and(filter.eq('title', 'a'), filter.gt('views', 1)) });
  // @ts-expect-error: the filter builder names a field posts lack
  await posts.list({ filter: filter.eq('titel', 'a') });
  // @ts-expect-error: one part of a combined filter names a field posts lack
  await posts.list({ filter: filter.or(filter.eq('title', 'a'), filter.isNull('veiws')) });
  // @ts-expect-error: not a filter at all
  await posts.list({ filter: 42 });
}

export async function fieldsAndExpand(): Promise<void> {
  // @ts-expect-error: misspelled field in fields
  await posts.get('id', { fields: ['titel'] });
  // @ts-expect-error: expand of a field that is not a relation
  await posts.get('id', { expand: ['views'] });
  // @ts-expect-error: expand of an unknown name
  await posts.list({ expand: ['writer'] });
  // @ts-expect-error: fields in iterate are checked too
  for await (const post of posts.iterate({ fields: ['titel'] })) void post;
}

export function realtime(): void {
  // @ts-expect-error: no such collection to subscribe to
  client.realtime.subscribe('postz', {}, { onChange: () => undefined });
  // @ts-expect-error: no such collection to follow a record of
  client.realtime.subscribeRecord('postz', 'id', { onChange: () => undefined });
  // @ts-expect-error: no such collection for a live query
  client.realtime.liveQuery('postz', {}, () => undefined);

  const live = client.realtime.liveQuery('posts', { sort: '-views', limit: 10, expand: ['author', 'reviewers'] }, (items) => {
    const name: string | undefined = items[0]?.expand?.author?.name;
    const names: (string | undefined)[] = items.map((item) => item.expand?.reviewers?.[0]?.name);
    void [name, names];
  });
  const first: string | undefined = live.items[0]?.expand?.author?.name;
  // @ts-expect-error: authors have no title
  void live.items[0]?.expand?.author?.title;
  // @ts-expect-error: expand of a field that is not a relation, in a live query
  client.realtime.liveQuery('posts', { expand: ['title'] }, () => undefined);

  client.realtime.subscribe('posts', { expand: ['author'] }, {
    onChange: (change) => {
      const author: string | undefined = change.record.expand?.author?.name;
      // @ts-expect-error: not expanded
      void change.record.expand?.reviewers;
      void author;
    },
  });
  // @ts-expect-error: expand of an unknown relation, in a subscription
  client.realtime.subscribe('posts', { expand: ['writer'] }, { onChange: () => undefined });
  client.realtime.subscribeRecord('posts', 'id', { onChange: (change) => void change.record.expand?.author?.name }, { expand: ['author'] });
  // @ts-expect-error: expand of a non-relation, following one record
  client.realtime.subscribeRecord('posts', 'id', { onChange: () => undefined }, { expand: ['views'] });
  void first;
}

export function errors(error: CausewayError, problem: Problem): void {
  const code: ErrorCode = error.code;
  if (error.code === 'RECORD_NOT_FOUND') void code;
  // @ts-expect-error: not a code of the catalogue
  if (error.code === 'RECORD_MISSING') void code;
  // @ts-expect-error: a problem's code is one of the catalogue's too
  problem.code = 'NOT_A_CODE';
}
