import type { ChannelMember } from '@causeway/core';

export type { ChannelMember };

interface Seat<T> {
  member: ChannelMember;
  target: T;
}

/** A member connected to another instance, known from its joins and that instance's rosters. */
interface RemoteSeat {
  member: ChannelMember;
  seen: number;
}

/**
 * Named channels for ephemeral messages and presence. Local seats hold this instance's connections (the
 * targets to deliver to); remote seats are members connected to other instances, known from their signals and
 * dropped when their instance's roster stops mentioning them. Nothing here is stored.
 */
export class Channels<T = unknown> {
  private readonly channels = new Map<string, Map<string, Seat<T>>>();
  private readonly remote = new Map<string, Map<string, RemoteSeat>>();

  /** Joins (again, harmlessly); returns everyone now present, on every instance, and the local targets to tell. */
  join(channel: string, member: ChannelMember, target: T): { members: ChannelMember[]; others: T[] } {
    let seats = this.channels.get(channel);
    if (!seats) this.channels.set(channel, (seats = new Map()));
    const others = [...seats.entries()].filter(([id]) => id !== member.connection).map(([, seat]) => seat.target);
    seats.set(member.connection, { member, target });
    const remote = [...(this.remote.get(channel)?.values() ?? [])].map((seat) => seat.member);
    return { members: [...[...seats.values()].map((seat) => seat.member), ...remote], others };
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

  /** This instance's connections in a channel. */
  targetsIn(channel: string): T[] {
    return [...(this.channels.get(channel)?.values() ?? [])].map((seat) => seat.target);
  }

  leaveAll(connection: string, tell: (channel: string, member: ChannelMember, others: T[]) => void): void {
    for (const [channel, seats] of this.channels) {
      const seat = seats.get(connection);
      if (!seat) continue;
      const others = this.leave(channel, connection) ?? [];
      tell(channel, seat.member, others);
    }
  }

  /** Every local seat, for this instance's roster. */
  localSeats(): { channel: string; member: ChannelMember }[] {
    return [...this.channels].flatMap(([channel, seats]) => [...seats.values()].map((seat) => ({ channel, member: seat.member })));
  }

  /** Records a member of another instance; true when it is new here (so local members are told). */
  remoteJoin(channel: string, member: ChannelMember, now: number): boolean {
    let seats = this.remote.get(channel);
    if (!seats) this.remote.set(channel, (seats = new Map()));
    const known = seats.has(member.connection);
    seats.set(member.connection, { member, seen: now });
    return !known;
  }

  /** Forgets a member of another instance; true when it was known. */
  remoteLeave(channel: string, connection: string): boolean {
    const seats = this.remote.get(channel);
    if (!seats?.delete(connection)) return false;
    if (seats.size === 0) this.remote.delete(channel);
    return true;
  }

  /** Drops remote members not seen since `before` (their instance stopped sending rosters); returns them. */
  expire(before: number): { channel: string; member: ChannelMember }[] {
    const gone: { channel: string; member: ChannelMember }[] = [];
    for (const [channel, seats] of this.remote) {
      for (const seat of seats.values()) if (seat.seen < before) gone.push({ channel, member: seat.member });
    }
    for (const { channel, member } of gone) this.remoteLeave(channel, member.connection);
    return gone;
  }
}
