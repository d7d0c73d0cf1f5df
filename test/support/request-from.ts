import { request as httpRequest } from 'node:http';
import type { Json, TestResponse } from './test-server.js';

/**
 * A JSON request sent from another loopback address (127.0.0.0/8 is all this machine), so tests can play a
 * client at one address and an attacker at another.
 */
export function requestFrom(address: string, baseUrl: string, method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      new URL(pathname, baseUrl),
      { method, localAddress: address, headers: { ...headers, ...(text === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }) } },
      (response) => {
        let data = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (data += chunk));
        response.on('end', () => {
          const headerList = new Headers();
          for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headerList.set(name, value);
          let parsed: Json = data;
          try {
            parsed = data === '' ? undefined : JSON.parse(data);
          } catch {
            // Not JSON: keep the text.
          }
          resolve({ status: response.statusCode ?? 0, headers: headerList, body: parsed });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(text);
  });
}
