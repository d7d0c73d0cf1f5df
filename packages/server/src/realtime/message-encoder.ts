import type { CausewayRecord } from '@causeway/core';
import type { RealtimeServerMessage } from '@causeway/wire';

type ServerMessage = RealtimeServerMessage<CausewayRecord>;
type EventMessage = Extract<ServerMessage, { type: 'event' }>;

/**
 * UTF-8 bytes of server messages, as they go on the wire. An event is the same for every subscriber handed the
 * very same record object — the hub gives every subscriber that may read the same fields of a change the same
 * image (core's `sharedVisibleImage`), and anyone who may read fewer fields another one — so its body
 * (everything after the subscription id) is serialised once per event and visibility shape, keyed on that
 * object, and each subscriber's message is its own `{"type":"event","sub":…` followed by those shared bytes.
 * An expanded record is expanded for one caller (related records under their view rules): never shared.
 */
export class MessageEncoder {
  /** Per record object: the bodies of the events that carried it, by op, seq and version (gone with the record). */
  private readonly bodies = new WeakMap<CausewayRecord, Map<string, Buffer>>();
  private readonly prefixes = new Map<string, Buffer>();

  encode(message: ServerMessage): Buffer {
    if (message.type !== 'event' || message.record.expand !== undefined) return Buffer.from(JSON.stringify(message));
    return Buffer.concat([this.prefix(message.sub), this.body(message)]);
  }

  /** `,"seq":…,"op":…,"record":…}`: the event after its subscription id. */
  private body(message: EventMessage): Buffer {
    const { type: _type, sub: _sub, ...rest } = message;
    const key = `${rest.op}\u0000${rest.seq}\u0000${rest.version ?? ''}`;
    let byEvent = this.bodies.get(rest.record);
    if (!byEvent) this.bodies.set(rest.record, (byEvent = new Map()));
    let body = byEvent.get(key);
    if (!body) byEvent.set(key, (body = Buffer.from(`,${JSON.stringify(rest).slice(1)}`)));
    return body;
  }

  /** `{"type":"event","sub":"…"`, kept for the subscription ids in use (clients mostly reuse a few). */
  private prefix(sub: string): Buffer {
    let prefix = this.prefixes.get(sub);
    if (prefix) return prefix;
    if (this.prefixes.size >= 4096) this.prefixes.clear();
    prefix = Buffer.from(`{"type":"event","sub":${JSON.stringify(sub)}`);
    this.prefixes.set(sub, prefix);
    return prefix;
  }
}
