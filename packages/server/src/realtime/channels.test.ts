import { describe, expect, it } from 'vitest';
import { Channels } from './channels.js';

const member = (connection: string) => ({ connection, kind: 'user' as const, id: connection });

describe('channels across instances', () => {
  it('lists members of other instances beside local ones, and expires those their instance stopped mentioning', () => {
    const channels = new Channels<string>();
    expect(channels.remoteJoin('room', member('far'), 1000)).toBe(true);
    expect(channels.remoteJoin('room', member('far'), 2000)).toBe(false);
    expect(channels.join('room', member('here'), 'target').members.map((m) => m.connection)).toEqual(['here', 'far']);
    expect(channels.expire(1500)).toEqual([]);
    expect(channels.expire(2500)).toEqual([{ channel: 'room', member: member('far') }]);
    expect(channels.join('room', member('here'), 'target').members.map((m) => m.connection)).toEqual(['here']);
    expect(channels.remoteLeave('room', 'far')).toBe(false);
  });
});
