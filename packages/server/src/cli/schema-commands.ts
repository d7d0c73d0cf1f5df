import { mkdirSync, readFileSync } from 'node:fs';
import { CausewayError, CollectionsService, SchemaRegistry } from '@causeway/core';
import type { Config } from '../config/config.js';
import { openDatabase } from '../store/open-database.js';

export async function withCollections<T>(config: Config, work: (collections: CollectionsService) => Promise<T>): Promise<T> {
  mkdirSync(config.dataDir, { recursive: true });
  const db = openDatabase(config.db);
  try {
    const collections = new CollectionsService(db, new SchemaRegistry());
    await collections.open();
    return await work(collections);
  } finally {
    await db.close();
  }
}

export function exportSchema(config: Config): Promise<ReturnType<CollectionsService['export']>> {
  return withCollections(config, async (collections) => collections.export());
}

export function importSchema(config: Config, file: string, confirm: boolean): ReturnType<CollectionsService['import']> {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CausewayError('INVALID_SCHEMA', `Cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  const collections = (document as { collections?: unknown })?.collections;
  if (!Array.isArray(collections)) throw new CausewayError('INVALID_SCHEMA', `${file} has no "collections" array.`);
  return withCollections(config, (service) => service.import(collections, { confirm }));
}
