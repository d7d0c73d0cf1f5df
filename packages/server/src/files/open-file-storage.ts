import type { FileStorage } from '@causeway/core';
import type { FilesConfig } from '../config/config.js';
import { LocalFileStorage } from './local-storage.js';

/** The file storage the configuration names. */
export function openFileStorage(config: FilesConfig): FileStorage {
  return new LocalFileStorage(config.dir);
}
