import { writeFileSync } from 'node:fs';
import { CausewayError, type Collection } from '@causeway/core';
import type { Config } from '../config/config.js';
import { typescriptTypes } from '../codegen/typescript-types.js';
import { withCollections } from './schema-commands.js';

export interface TypesOptions {
  out?: string | undefined;
  /** A running server's URL; its `/api/schema` is read with an admin token. */
  url?: string | undefined;
  token?: string | undefined;
}

async function fromServer(url: string, token: string | undefined): Promise<Collection[]> {
  const response = await fetch(new URL('/api/schema', url), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = (await response.json()) as { collections?: Collection[]; detail?: string };
  if (!response.ok || !Array.isArray(body.collections)) {
    throw new CausewayError('BAD_REQUEST', `${url} answered ${response.status}: ${body.detail ?? 'no schema'} (an admin token is needed: --token or CAUSEWAY_TOKEN)`);
  }
  return body.collections;
}

/** `causeway types`: writes (or prints) the TypeScript types of the schema, from the data directory or a server. */
export async function generateTypes(config: Config, options: TypesOptions): Promise<string> {
  const collections = options.url ? await fromServer(options.url, options.token) : await withCollections(config, async (service) => service.list());
  const text = typescriptTypes(collections);
  if (options.out) writeFileSync(options.out, text);
  return text;
}
