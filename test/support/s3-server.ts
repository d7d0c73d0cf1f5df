import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/** A local S3-compatible server (s3rver, from npm) with one empty bucket, for the S3 storage adapter's tests. */
export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** Configuration flags that point a test server's files at this bucket. */
  config: Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startTestS3(bucket = 'causeway-test'): Promise<TestS3> {
  const directory = mkdtempSync(path.join(tmpdir(), 'causeway-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    bucket,
    // s3rver accepts these fixed credentials.
    config: { s3Bucket: bucket, s3Endpoint: endpoint, s3AccessKeyId: 'S3RVER', s3SecretAccessKey: 'S3RVER', s3ForcePathStyle: true },
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
