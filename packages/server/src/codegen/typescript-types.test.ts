import { describe, expect, it } from 'vitest';
import type { Collection } from '@causeway/core';
import { typescriptTypes } from './typescript-types.js';

const base = { required: false, unique: false } as const;
const gallery: Collection = {
  id: 'c_1',
  name: 'gallery',
  type: 'base',
  fields: [
    { ...base, id: 'f1', name: 'cover', type: 'file', multiple: false, maxSize: 1000 },
    { ...base, id: 'f2', name: 'pages', type: 'file', multiple: true, maxSize: 1000 },
    { ...base, id: 'f3', name: 'logo', type: 'file', multiple: false, maxSize: 1000, required: true },
  ],
  indexes: [],
  listRule: null,
  viewRule: null,
  createRule: null,
  updateRule: null,
  deleteRule: null,
  created: '',
  updated: '',
};

describe('causeway types for file fields', () => {
  it('types a single file field as its stored name (or null) and a multiple one as a list of names', () => {
    const source = typescriptTypes([gallery]);
    expect(source).toMatch(/cover: string \| null;/);
    expect(source).toMatch(/pages: string\[\];/);
    expect(source).toMatch(/logo: string;/);
  });
});
