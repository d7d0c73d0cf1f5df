import { createInterface } from 'node:readline';
import type { Config } from '../config/config.js';
import { createServer } from '../app.js';
import { rotateKeys } from '../auth/key-ring.js';

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

export function rotateTokenKeys(config: Config): ReturnType<typeof rotateKeys> {
  return rotateKeys(config.dataDir);
}
