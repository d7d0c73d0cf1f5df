import { describe, expect, it } from 'vitest';
import { MessageEncoder } from './message-encoder.js';

const record = { id: 'r1', created: '2026-12-01T00:00:00.000Z', updated: '2026-12-01T00:00:00.000Z', title: 'héllo "quoted"', n: 1 };
const decode = (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8'));

describe('realtime message encoding', () => {
  it('encodes an event as the JSON of the message, with each subscriber its own subscription id', () => {
    const encoder = new MessageEncoder();
    const a = { type: 'event' as const, sub: 'a', seq: 7, op: 'insert' as const, record, version: '1.x' };
    const b = { ...a, sub: 'sub "b" ✓' };
    expect(decode(encoder.encode(a))).toEqual(a);
    expect(decode(encoder.encode(b))).toEqual(b);
    expect(encoder.encode(a).toString('utf8').startsWith('{"type":"event"')).toBe(true);
  });

  it('never reuses the bytes of one record object for another with the same position: another visibility shape is another object', () => {
    const encoder = new MessageEncoder();
    const full = { ...record, secret: 'for admins' };
    const withheld = { ...record };
    expect(decode(encoder.encode({ type: 'event', sub: 's', seq: 9, op: 'update', record: full }))).toMatchObject({ record: { secret: 'for admins' } });
    const forPeer = encoder.encode({ type: 'event', sub: 's', seq: 9, op: 'update', record: withheld });
    expect(forPeer.toString('utf8')).not.toContain('for admins');
    expect(decode(forPeer)).toEqual({ type: 'event', sub: 's', seq: 9, op: 'update', record: withheld });
  });

  it('tells apart events of one record object by op, position and version', () => {
    const encoder = new MessageEncoder();
    const event = { type: 'event' as const, sub: 's', seq: 3, op: 'update' as const, record, version: '2.x' };
    encoder.encode(event);
    expect(decode(encoder.encode({ ...event, op: 'remove' }))).toMatchObject({ op: 'remove' });
    expect(decode(encoder.encode({ ...event, seq: 4 }))).toMatchObject({ seq: 4 });
    expect(decode(encoder.encode({ ...event, version: '3.x' }))).toMatchObject({ version: '3.x' });
    const { version: _version, ...unversioned } = event;
    expect(decode(encoder.encode(unversioned))).not.toHaveProperty('version');
  });

  it('encodes an expanded record, and every other message, on its own', () => {
    const encoder = new MessageEncoder();
    const expanded = { ...record, expand: { author: { id: 'u1', created: '', updated: '', name: 'Ann' } } };
    const event = { type: 'event' as const, sub: 's', seq: 5, op: 'insert' as const, record: expanded };
    expect(decode(encoder.encode(event))).toEqual(event);
    expect(decode(encoder.encode({ type: 'synced', req: 'r', seq: 5 }))).toEqual({ type: 'synced', req: 'r', seq: 5 });
  });
});
