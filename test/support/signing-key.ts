import type { TestServer } from './test-server.js';

/** The key a test server signs access tokens with, read where it keeps it (the database), for forging tokens. */
export async function signingKey(t: Pick<TestServer, 'server'>): Promise<{ kid: string; secret: Uint8Array }> {
  const row = await t.server.db.get(`SELECT value FROM ${t.server.db.dialect.quoteIdent('_settings')} WHERE key = '_token_keys'`);
  const [current] = JSON.parse(String(row?.value)) as { kid: string; secret: string }[];
  return { kid: current!.kid, secret: Buffer.from(current!.secret, 'base64url') };
}
