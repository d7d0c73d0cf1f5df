import type { FileStorage } from '@causeway/core';
import type { FilesConfig } from '../config/config.js';
import { LocalFileStorage } from './local-storage.js';

/**
 * The file storage the configuration names: a directory, or an S3-compatible bucket. The AWS SDK is loaded only
 * when a bucket is configured: importing it costs seconds of start-up (every CLI command) for nothing otherwise.
 */
export async function openFileStorage(config: FilesConfig): Promise<FileStorage> {
  if (config.kind === 'local') return new LocalFileStorage(config.dir);
  const { S3FileStorage } = await import('./s3-storage.js');
  return new S3FileStorage(config);
}
