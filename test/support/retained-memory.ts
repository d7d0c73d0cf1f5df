import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

export const mb = 1024 * 1024;

/**
 * Memory this process (the in-process test server) holds after a full collection: the heap and the buffers outside
 * it (socket data). Garbage does not count; what the server keeps does.
 */
export function retainedMemory(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Runs `work` and returns the most memory held above the start while it ran, collected and measured every 250 ms. */
export async function memoryGrowth(work: () => Promise<void>): Promise<number> {
  const start = retainedMemory();
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, retainedMemory())), 250);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return Math.max(peak, retainedMemory()) - start;
}
