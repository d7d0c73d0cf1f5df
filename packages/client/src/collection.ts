import type { Transport } from './transport.js';
import { multipartBody, type UploadFiles, type UploadProgress } from './upload.js';
import type { CollectionName, FieldOf, ListOptions, ListResult, ReadOptions, RecordOf, RelationOf, SchemaTypes, Selected } from './types.js';

export interface UploadOptions<S extends SchemaTypes, N extends CollectionName<S>> {
  /** The record's other fields (on update, those to change; a file field listing fewer names removes the others). */
  data?: S[N]['update'];
  /** Update this record instead of creating one. */
  id?: string;
  ifMatch?: string;
  onProgress?: (progress: UploadProgress) => void;
}

function readQuery(options: { fields?: readonly string[]; expand?: readonly string[] }) {
  return { fields: options.fields?.length ? options.fields : undefined, expand: options.expand?.length ? options.expand : undefined };
}

/** One collection's records: list, iterate, get, create, update, delete. */
export class CollectionApi<S extends SchemaTypes, N extends CollectionName<S>> {
  private readonly path: string;

  constructor(
    private readonly transport: Transport,
    readonly name: N,
  ) {
    this.path = `/api/collections/${encodeURIComponent(name)}/records`;
  }

  /** A page of records; literal `filter` and `sort` texts are checked against the collection's fields when it compiles. */
  list<F extends FieldOf<S, N> = never, E extends RelationOf<S, N> = never, W extends string = never, O extends string = never>(
    options: ListOptions<S, N, F, E, W, O> = {},
  ): Promise<ListResult<Selected<S, N, F, E>>> {
    return this.transport.request('GET', this.path, {
      query: {
        ...readQuery(options),
        filter: options.filter === undefined ? undefined : String(options.filter),
        sort: options.sort,
        limit: options.limit,
        after: options.after,
        before: options.before,
        count: options.count ? true : undefined,
      },
    });
  }

  /** Every matching record, page after page (`for await (const post of posts.iterate({ filter }))`). */
  async *iterate<F extends FieldOf<S, N> = never, E extends RelationOf<S, N> = never, W extends string = never, O extends string = never>(
    options: Omit<ListOptions<S, N, F, E, W, O>, 'after' | 'before' | 'count'> = {},
  ): AsyncGenerator<Selected<S, N, F, E>> {
    let after: string | undefined;
    do {
      const page: ListResult<Selected<S, N, F, E>> = await this.list<F, E, W, O>({ ...options, ...(after ? { after } : {}) });
      yield* page.items;
      after = page.nextCursor ?? undefined;
    } while (after);
  }

  get<F extends FieldOf<S, N> = never, E extends RelationOf<S, N> = never>(id: string, options: ReadOptions<S, N, F, E> = {}): Promise<Selected<S, N, F, E>> {
    return this.transport.request('GET', `${this.path}/${encodeURIComponent(id)}`, { query: readQuery(options) });
  }

  create(data: S[N]['create']): Promise<RecordOf<S, N>> {
    return this.transport.request('POST', this.path, { body: data });
  }

  /** Updates the fields given; with `ifMatch` (the version you last saw) it fails with PreconditionFailedError if the record changed. */
  update(id: string, data: S[N]['update'], options: { ifMatch?: string } = {}): Promise<RecordOf<S, N>> {
    return this.transport.request('PATCH', `${this.path}/${encodeURIComponent(id)}`, { body: data, ...(options.ifMatch ? { headers: { 'if-match': options.ifMatch } } : {}) });
  }

  /**
   * Creates a record with files (`multipart/form-data`), or with `id` updates one: a single field's file
   * replaces the old one, a `multiple` field's files are added. `onProgress` reports the bytes sent.
   *
   * @example
   * const post = await posts.upload({ cover: file }, { data: { title: 'Hi' }, onProgress: ({ loaded, total }) => bar(loaded / total) });
   */
  upload(files: UploadFiles, options: UploadOptions<S, N> = {}): Promise<RecordOf<S, N>> {
    const body = multipartBody((options.data ?? {}) as Record<string, unknown>, files);
    const headers = options.ifMatch ? { 'if-match': options.ifMatch } : undefined;
    const path = options.id === undefined ? this.path : `${this.path}/${encodeURIComponent(options.id)}`;
    return this.transport.upload(options.id === undefined ? 'POST' : 'PATCH', path, body, { ...(headers ? { headers } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  }

  /**
   * The URL of one of a record's files, for `<img src>` or a link. A protected field's file needs `token`
   * (`client.fileToken()`); `thumb` names one of the field's declared thumbnail sizes.
   */
  fileUrl(record: { id: string }, name: string, options: { thumb?: string; token?: string; download?: boolean } = {}): string {
    const url = new URL(`/api/files/${encodeURIComponent(this.name)}/${encodeURIComponent(record.id)}/${encodeURIComponent(name)}`, this.transport.baseUrl);
    if (options.thumb) url.searchParams.set('thumb', options.thumb);
    if (options.token) url.searchParams.set('token', options.token);
    if (options.download) url.searchParams.set('download', '');
    return url.toString();
  }

  async delete(id: string, options: { ifMatch?: string } = {}): Promise<void> {
    await this.transport.request('DELETE', `${this.path}/${encodeURIComponent(id)}`, options.ifMatch ? { headers: { 'if-match': options.ifMatch } } : {});
  }
}
