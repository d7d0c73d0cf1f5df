import { describe, expect, it } from 'vitest';
import type { CausewayRecord } from '../records/record.js';
import { anonymousCaller, type Caller } from '../rules/caller.js';
import { adminOnlyRules, type Collection } from '../schema/collection.js';
import { imageVersionTag, sharedVisibleImage } from './event-images.js';

// An auth collection: `email` is the account's own (and admins'), `notes` admins' only, `name` everyone's.
const users: Collection = {
  id: 'users', name: 'users', type: 'auth', indexes: [], ...adminOnlyRules, created: '', updated: '',
  fields: [
    { id: 'f1', name: 'name', type: 'text', required: false, unique: false },
    { id: 'f2', name: 'email', type: 'email', required: false, unique: false },
    { id: 'f3', name: 'notes', type: 'text', required: false, unique: false, visibility: 'admins' },
  ],
};
const user = (id: string): Caller => ({ kind: 'user', collection: 'users', sessionId: `s-${id}`, record: { id, created: '', updated: '' } });
const admin: Caller = { kind: 'admin', id: 'a1', email: 'admin@example.com', sessionId: 'sa' };
const image = (): CausewayRecord => ({ id: 'u1', created: '2026-12-01T00:00:00.000Z', updated: '2026-12-01T00:00:00.000Z', name: 'Ann', email: 'ann@example.com', notes: 'secret note' });

describe('images of a change shared between subscribers', () => {
  it('hand callers who may read the same fields the very same object, and anyone who may read fewer another one without them', () => {
    const record = image();
    const [bob, cy, ann] = [sharedVisibleImage(users, record, user('u2')), sharedVisibleImage(users, record, user('u3')), sharedVisibleImage(users, record, user('u1'))];
    const [anonymous, asAdmin] = [sharedVisibleImage(users, record, anonymousCaller), sharedVisibleImage(users, record, admin)];
    // Peers and anonymous callers see the same fields: one object between them.
    expect(cy).toBe(bob);
    expect(anonymous).toBe(bob);
    expect(bob).toEqual({ id: 'u1', created: record.created, updated: record.updated, name: 'Ann' });
    // The owner reads its email, not the admins' notes: its own object.
    expect(ann).not.toBe(bob);
    expect(ann).toEqual({ id: 'u1', created: record.created, updated: record.updated, name: 'Ann', email: 'ann@example.com' });
    // An admin reads everything: the image itself.
    expect(asAdmin).toBe(record);
    expect(record.notes).toBe('secret note');
  });

  it('keep the shared copies from being changed by one subscriber for the others', () => {
    const copy = sharedVisibleImage(users, image(), user('u2'));
    expect(Object.isFrozen(copy)).toBe(true);
  });

  it('share nothing between two images of changes, even with equal contents', () => {
    expect(sharedVisibleImage(users, image(), user('u2'))).not.toBe(sharedVisibleImage(users, image(), user('u2')));
  });

  it('work out a version tag once per image and version', () => {
    const record = image();
    expect(imageVersionTag(record, 3)).toBe(`3.${Date.parse(record.created).toString(36)}`);
    expect(imageVersionTag(record, 2)).toBe(`2.${Date.parse(record.created).toString(36)}`);
    expect(imageVersionTag(record, 3)).toBe(`3.${Date.parse(record.created).toString(36)}`);
  });
});
