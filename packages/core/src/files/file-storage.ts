import type { Readable } from 'node:stream';

/** An object as listed by a storage: for the orphan sweep. */
export interface StoredObject {
  key: string;
  /** When it was last written, in ms since the epoch. */
  modifiedMs: number;
}

/** Bytes `start` to `end` inclusive, as in an HTTP Range. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where file bytes live: a local directory or an S3-compatible bucket, chosen by configuration. Keys are
 * `collectionId/recordId/storedName` (thumbnails under `collectionId/recordId/thumbs/WxH/storedName`), built
 * only from ids and checked stored names, never from client text.
 *
 * Implementations pass the same contract suite (`test/file-storage.test.ts`).
 */
export interface FileStorage {
  /**
   * Streams `body` to `key`. The object appears only once the body ended; if the body fails (a limit, a
   * client gone) the write rejects and leaves nothing a reader can see (at most a partial the sweep removes).
   */
  write(key: string, body: Readable, contentType: string): Promise<void>;
  /** The object's bytes (a range of them), or undefined when there is no such object. */
  read(key: string, range?: ByteRange): Promise<Readable | undefined>;
  /** Size and modification time, or undefined when there is no such object. */
  stat(key: string): Promise<{ size: number; modifiedMs: number } | undefined>;
  /** Deletes the objects; missing ones are not an error. */
  delete(keys: readonly string[]): Promise<void>;
  /** Every object under `prefix` (everything without one), including partial writes. */
  list(prefix?: string): AsyncIterable<StoredObject>;
  close?(): Promise<void>;
}
