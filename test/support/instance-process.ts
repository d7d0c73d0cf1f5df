import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const cli = path.resolve('packages/server/dist/cli/main.js');

/** A `causeway serve` process, as an operator would run one instance of several. */
export interface InstanceProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Everything it has written to stdout and stderr so far (its log). */
  output(): string;
  /** Stops it: SIGKILL for a crash, SIGTERM for a clean stop. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * `dataDir`: run on this directory and leave it when the process ends (a restart test starts another instance
 * on it); by default a fresh one, removed at exit.
 */
export async function startInstance(env: Record<string, string>, options: { dataDir?: string } = {}): Promise<InstanceProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'causeway-instance-'));
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, CAUSEWAY_LOG_LEVEL: 'info', CAUSEWAY_PASSWORD_COST: '10', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    resolve(code);
  }));
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const url = await new Promise<string>((resolve, reject) => {
    const read = () => {
      const match = /listening on (http:\/\/[^\s)"]+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then(() => reject(new Error(`the instance exited while starting:\n${output}`)));
  });
  return {
    url,
    child,
    exited,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
