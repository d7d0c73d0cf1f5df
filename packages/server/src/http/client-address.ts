import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/** The proxies `CAUSEWAY_TRUST_PROXY` names, as Fastify's `trustProxy` takes them. */
export function trustedProxies(trustProxy: string | undefined): string[] | undefined {
  return trustProxy?.split(',').map((entry) => entry.trim()).filter(Boolean);
}

/**
 * The client address of a raw request (WebSocket upgrades, which Fastify never sees), by the rule Fastify's
 * `request.ip` follows: `X-Forwarded-For` is believed only as far back as it passes through trusted proxies.
 */
export function clientAddressOf(trustProxy: string | undefined): (request: IncomingMessage) => string {
  const proxies = trustedProxies(trustProxy);
  if (!proxies) return (request) => request.socket.remoteAddress ?? '';
  const trusted = proxyAddr.compile(proxies);
  return (request) => proxyAddr(request, trusted);
}
