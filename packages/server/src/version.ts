import { readFileSync } from 'node:fs';

/** The `causeway` package version, read once from its package.json (the same from src/ and dist/). */
export const serverVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
