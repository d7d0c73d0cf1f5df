/** Collection definitions shared by the REST tests. */
export const authorsDefinition = {
  name: 'authors',
  fields: [
    { name: 'name', type: 'text', required: true, max: 100 },
    { name: 'email', type: 'email', unique: true },
  ],
};

export const postsDefinition = {
  name: 'posts',
  fields: [
    { name: 'title', type: 'text', required: true, min: 1, max: 200 },
    { name: 'slug', type: 'text', unique: true, pattern: '^[a-z0-9-]+$' },
    { name: 'views', type: 'number', integer: true, min: 0 },
    { name: 'rating', type: 'number', min: 0, max: 5 },
    { name: 'published', type: 'bool', default: false },
    { name: 'day', type: 'date' },
    { name: 'at', type: 'datetime' },
    { name: 'contact', type: 'email' },
    { name: 'link', type: 'url' },
    { name: 'status', type: 'select', values: ['draft', 'live', 'archived'], default: 'draft' },
    { name: 'tags', type: 'select', values: ['a', 'b', 'c'], multiple: true },
    { name: 'meta', type: 'json' },
    { name: 'author', type: 'relation', collection: 'authors', onDelete: 'cascade' },
    { name: 'reviewers', type: 'relation', collection: 'authors', multiple: true },
  ],
  indexes: [{ fields: ['published', 'created'] }],
};
