import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';

/** The data directory cannot hold the database: the message names it and says what to do. */
export class DataDirectoryError extends Error {
  constructor(directory: string, problem: string) {
    let user = 'the user Causeway runs as';
    try {
      user = `user '${userInfo().username}'`;
    } catch {
      // No entry in the user database (a container's numeric user): the generic wording serves.
    }
    super(
      `Cannot use the data directory ${directory}: ${problem}.\n` +
        `SQLite needs to write there (data.db and, in WAL mode, data.db-wal and data.db-shm beside it). ` +
        `Make the directory and its files writable by ${user} (or mount the volume read-write), ` +
        `or start with --data-dir (CAUSEWAY_DATA_DIR) pointing at a writable directory.`,
    );
    this.name = 'DataDirectoryError';
  }
}

/**
 * Checks, before SQLite opens the file, that the data directory exists (making it if needed) and that it and the
 * database file can be written: otherwise SQLite's own answer is "unable to open database file", or a server that
 * starts and fails on its first write.
 */
export function ensureWritableDataDirectory(file: string): void {
  const directory = path.dirname(file);
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw new DataDirectoryError(directory, `it cannot be created (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  for (const target of [directory, file, `${file}-wal`, `${file}-shm`]) {
    if (target !== directory && !existsSync(target)) continue;
    try {
      accessSync(target, constants.W_OK | (target === directory ? constants.X_OK : 0));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'EROFS' ? 'it is on a read-only file system' : 'it is not writable';
      throw new DataDirectoryError(directory, target === directory ? reason : `${path.basename(target)} ${reason === 'it is not writable' ? 'is not writable' : 'is on a read-only file system'}`);
    }
  }
}
