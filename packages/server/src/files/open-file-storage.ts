import type { FileStorage } from '@causeway/core';
import type { FilesConfig } from '../config/config.js';
import { LocalFileStorage } from './local-storage.js';
import { S3FileStorage } from './s3-storage.js';

/** The file storage the configuration names: a directory, or an S3-compatible bucket. */
export function openFileStorage(config: FilesConfig): FileStorage {
  return config.kind === 's3' ? new S3FileStorage(config) : new LocalFileStorage(config.dir);
}
