import { PassThrough, type Readable } from 'node:stream';
import type { ResizeOptions } from 'sharp';
import { CausewayError, thumbKey, type FileStorage } from '@causeway/core';

/** Largest image (in pixels) a thumbnail is made of: past it a crafted file could take gigabytes to decode. */
const maxInputPixels = 64_000_000;

/** sharp's resize options for a declared `WxH` size: both sides crop to fill, one side keeps the aspect ratio. */
export function resizeOptions(size: string): ResizeOptions {
  const [width = 0, height = 0] = size.split('x').map(Number);
  return { ...(width > 0 ? { width } : {}), ...(height > 0 ? { height } : {}), fit: 'cover', withoutEnlargement: true };
}

/**
 * Makes thumbnails on first request and keeps them in the storage beside their file (deleted with it, and swept
 * if their size is no longer declared). Concurrent requests for the same thumbnail share one generation.
 */
export class Thumbnails {
  private readonly making = new Map<string, Promise<void>>();

  constructor(private readonly storage: FileStorage) {}

  /** The storage key of the thumbnail, made now if it does not exist yet. */
  async ensure(collectionId: string, recordId: string, name: string, sourceKey: string, size: string): Promise<string> {
    const key = thumbKey(collectionId, recordId, name, size);
    if (await this.storage.stat(key)) return key;
    let pending = this.making.get(key);
    if (!pending) {
      pending = this.make(sourceKey, key, size).finally(() => this.making.delete(key));
      this.making.set(key, pending);
    }
    await pending;
    return key;
  }

  private async make(sourceKey: string, key: string, size: string): Promise<void> {
    const source = await this.storage.read(sourceKey);
    if (!source) throw new CausewayError('NOT_FOUND', 'No such file.');
    // Loaded on the first thumbnail: importing sharp (libvips) costs start-up time every command would pay.
    const { default: sharp } = await import('sharp');
    // Output keeps the input's format; sharp streams, so neither image is held whole beyond what decoding needs.
    const resizer = sharp({ limitInputPixels: maxInputPixels, failOn: 'error' }).rotate().resize(resizeOptions(size));
    const output = new PassThrough();
    let failure: unknown;
    const fail = (error: unknown) => {
      failure ??= error;
      output.destroy(error as Error);
    };
    source.on('error', fail);
    resizer.on('error', fail);
    // The storage listens to `output` only after an await of its own (making a directory): a decoding failure
    // before then would be an 'error' event nobody hears, which ends the process. It is kept in `failure` and
    // answered below.
    output.on('error', () => undefined);
    source.pipe(resizer).pipe(output);
    try {
      await this.storage.write(key, output as Readable, 'application/octet-stream');
    } catch (error) {
      throw new CausewayError('VALIDATION_FAILED', 'This image cannot be made into a thumbnail.', { cause: failure ?? error, fields: { thumb: { code: 'thumbnail', message: 'the image could not be decoded' } } });
    }
  }
}
