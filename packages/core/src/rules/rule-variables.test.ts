import { describe, expect, it } from 'vitest';
import { adminOnlyRules, type Collection } from '../schema/collection.js';
import { anonymousCaller, type Caller } from './caller.js';
import { declaredVariables, requestVariables } from './rule-variables.js';

const posts: Collection = {
  id: 'posts', name: 'posts', type: 'base', indexes: [], ...adminOnlyRules, created: '', updated: '',
  fields: [{ id: 'f1', name: 'title', type: 'text', required: false, unique: false }],
};
const alice: Caller = { kind: 'user', collection: 'users', sessionId: 's', record: { id: 'u1', created: '', updated: '', name: 'Alice', roles: ['a'], verified: true } };

describe('request variables', () => {
  it('give an anonymous caller an empty id, so owner rules match nothing rather than null owners', () => {
    const lookup = requestVariables(anonymousCaller, 'list');
    expect(lookup('request.auth.id')).toBe('');
    expect(lookup('request.auth.collectionName')).toBe('');
    expect(lookup('request.auth.name')).toBeNull();
  });

  it("read a user's scalar fields, and null for lists and missing fields", () => {
    const lookup = requestVariables(alice, 'view');
    expect(lookup('request.auth.id')).toBe('u1');
    expect(lookup('request.auth.collectionName')).toBe('users');
    expect(lookup('request.auth.verified')).toBe(true);
    expect(lookup('request.auth.roles')).toBeNull();
    expect(lookup('request.auth.nope')).toBeNull();
  });

  it('read the body and the method of the action', () => {
    const lookup = requestVariables(alice, 'update', { title: 'x', tags: ['a'] });
    expect(lookup('request.body.title')).toBe('x');
    expect(lookup('request.body.tags')).toBeNull();
    expect(lookup('request.body.missing')).toBeNull();
    expect(lookup('request.method')).toBe('PATCH');
    expect(requestVariables(alice, 'create')('request.method')).toBe('POST');
    expect(lookup('request.other')).toBeUndefined();
  });

  it('when saving a rule, know body fields of the collection only', () => {
    const lookup = declaredVariables(posts);
    expect(lookup('request.body.title')).toBeNull();
    expect(lookup('request.body.nope')).toBeUndefined();
    expect(lookup('request.auth.anything')).toBeNull();
    expect(lookup('request.user')).toBeUndefined();
  });
});
