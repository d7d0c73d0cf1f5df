import { createInterface } from 'node:readline';
import { ConfigError, type Config } from '../config/config.js';
import { createServer } from '../app.js';
import { prepareDatabase, rotateStoredKeys } from '@causeway/core';
import { openKeySource } from '../auth/key-ring.js';
import { openDatabase } from '../store/open-database.js';

/** Reads a password without echoing it: from a terminal in raw mode, else the first line of standard input. */
export async function readPassword(prompt: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!input.isTTY) {
    const lines = createInterface({ input });
    for await (const line of lines) {
      lines.close();
      return line;
    }
    return '';
  }
  output.write(prompt);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let password = '';
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(() => resolve(password));
        if (char === '\u0003') return finish(() => reject(new Error('cancelled')));
        if (char === '\u007f' || char === '\b') password = password.slice(0, -1);
        else password += char;
      }
    };
    const finish = (settle: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      settle();
    };
    input.on('data', onData);
  });
}

/** `causeway admin create`: the password comes from CAUSEWAY_ADMIN_PASSWORD or a prompt, never from a flag. */
export async function createAdmin(config: Config, email: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const password = env.CAUSEWAY_ADMIN_PASSWORD ?? (await readPassword(`Password for ${email}: `));
  const server = await createServer({ config: { ...config, logLevel: 'silent' } });
  try {
    const admin = await server.auth.createAdmin(email, password);
    return String(admin.email);
  } finally {
    await server.close();
  }
}

/** `causeway keys rotate`: in the database, so every instance using it picks the new key up (within 10 s). */
export async function rotateTokenKeys(config: Config): Promise<{ kid: string; kept: string[] }> {
  if (config.tokenSecret !== undefined) {
    throw new ConfigError(['CAUSEWAY_TOKEN_SECRET is set, so tokens are signed with it and no stored key is used: change the secret instead']);
  }
  const db = openDatabase(config.db);
  try {
    await prepareDatabase(db);
    // A database an earlier version used still has its keys in the key file: carry them over before rotating.
    await openKeySource(db, config.dataDir, undefined);
    return await rotateStoredKeys(db);
  } finally {
    await db.close();
  }
}
