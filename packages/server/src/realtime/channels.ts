/** Who is in a channel, as others see them. */
export interface ChannelMember {
  connection: string;
  kind: 'anonymous' | 'user' | 'admin';
  id?: string;
  collection?: string;
}

interface Seat<T> {
  member: ChannelMember;
  target: T;
}

/**
 * Named channels for ephemeral messages and presence, in this process's memory. Nothing here is stored;
 * sharing channels across instances comes with the multi-instance event bus.
 */
export class Channels<T = unknown> {
  private readonly channels = new Map<string, Map<string, Seat<T>>>();

  /** Joins (again, harmlessly); returns everyone now present and the targets to tell. */
  join(channel: string, member: ChannelMember, target: T): { members: ChannelMember[]; others: T[] } {
    let seats = this.channels.get(channel);
    if (!seats) this.channels.set(channel, (seats = new Map()));
    const others = [...seats.entries()].filter(([id]) => id !== member.connection).map(([, seat]) => seat.target);
    seats.set(member.connection, { member, target });
    return { members: [...seats.values()].map((seat) => seat.member), others };
  }

  /** Leaves; returns the targets still present (undefined when the connection was not in the channel). */
  leave(channel: string, connection: string): T[] | undefined {
    const seats = this.channels.get(channel);
    if (!seats?.delete(connection)) return undefined;
    if (seats.size === 0) this.channels.delete(channel);
    return [...seats.values()].map((seat) => seat.target);
  }

  /** The other connections of a channel the connection is in (undefined when it is not). */
  othersIn(channel: string, connection: string): T[] | undefined {
    const seats = this.channels.get(channel);
    if (!seats?.has(connection)) return undefined;
    return [...seats.entries()].filter(([id]) => id !== connection).map(([, seat]) => seat.target);
  }

  leaveAll(connection: string, tell: (channel: string, member: ChannelMember, others: T[]) => void): void {
    for (const [channel, seats] of this.channels) {
      const seat = seats.get(connection);
      if (!seat) continue;
      const others = this.leave(channel, connection) ?? [];
      tell(channel, seat.member, others);
    }
  }
}
