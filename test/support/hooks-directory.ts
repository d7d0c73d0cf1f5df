import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A hooks directory of its own holding `files` (name → source), removed by `remove()`. */
export function hooksDirectory(files: Record<string, string>): { dir: string; write(name: string, source: string): void; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'causeway-hooks-test-'));
  const write = (name: string, source: string) => writeFileSync(path.join(dir, name), source);
  for (const [name, source] of Object.entries(files)) write(name, source);
  return { dir, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
