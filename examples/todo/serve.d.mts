export interface RunningExample {
  api: string;
  appUrl: string;
  stop(): Promise<void>;
}
export function startExample(options?: { dataDir?: string; apiPort?: number; appPort?: number; logLevel?: string }): Promise<RunningExample>;
