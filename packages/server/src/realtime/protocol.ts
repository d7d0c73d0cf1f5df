import type { RealtimeClientMessage } from '@causeway/wire';
import { z } from 'zod';

/** The realtime protocol's version; `welcome` announces it and docs/realtime.md describes it. */
export const protocolVersion = 1;

const sub = z.string().min(1).max(64);
const req = z.string().min(1).max(64);
const name = z.string().min(1).max(63);
const channel = z.string().regex(/^[A-Za-z0-9:_.-]{1,128}$/, 'letters, digits and : _ . - (at most 128)');
const seq = z.number().int().min(0);
/** Relation paths to expand; the records service checks them (at most 16, 4 deep) as it does REST's. */
const expand = z.array(z.string().min(1).max(255)).max(64).optional();

/** Every message a client may send. */
export const clientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auth'), token: z.string().min(1).max(4096) }),
  z.discriminatedUnion('kind', [
    z.strictObject({ type: z.literal('subscribe'), sub, kind: z.literal('collection'), collection: name, filter: z.string().max(4096).optional(), expand, since: seq.optional() }),
    z.strictObject({ type: z.literal('subscribe'), sub, kind: z.literal('record'), collection: name, id: z.string().min(1).max(64), expand, since: seq.optional() }),
    z.strictObject({ type: z.literal('subscribe'), sub, kind: z.literal('query'), collection: name, filter: z.string().max(4096).optional(), sort: z.string().max(512).optional(), limit: z.number().int().optional(), expand }),
  ]),
  z.strictObject({ type: z.literal('unsubscribe'), sub }),
  z.strictObject({ type: z.literal('create'), req, collection: name, data: z.unknown() }),
  z.strictObject({ type: z.literal('update'), req, collection: name, id: z.string().min(1).max(64), data: z.unknown(), ifMatch: z.string().optional() }),
  z.strictObject({ type: z.literal('delete'), req, collection: name, id: z.string().min(1).max(64), ifMatch: z.string().optional() }),
  z.strictObject({ type: z.literal('join'), channel, req: req.optional() }),
  z.strictObject({ type: z.literal('leave'), channel, req: req.optional() }),
  z.strictObject({ type: z.literal('send'), channel, payload: z.json(), req: req.optional() }),
  z.strictObject({ type: z.literal('sync'), req }),
]);

export type ClientMessage = z.infer<typeof clientMessage>;

/**
 * The wire declares these messages for clients (`RealtimeClientMessage`); the schema above is what the server
 * accepts. Each must fit the other, so the two cannot drift: a message the server parses is one the wire names,
 * and every message the wire names parses.
 */
type Fits<A, B> = [A] extends [B] ? true : false;
export const protocolMatchesWire: [Fits<ClientMessage, RealtimeClientMessage>, Fits<RealtimeClientMessage, z.input<typeof clientMessage>>] = [true, true];

/** Close codes Causeway uses, beside the standard ones (1001 going away, 1009 message too big). */
export const closeCodes = {
  /** The connection could not keep up; reconnect and resume from the last `seq` received. */
  tooSlow: 4008,
  /** Too many connections from this address. */
  tooManyConnections: 4029,
  /** No pong to the last ping. */
  unresponsive: 4002,
} as const;
