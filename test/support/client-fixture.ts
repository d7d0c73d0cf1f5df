/** The schema the client tests and the type tests share (its generated types live in packages/client/type-tests). */
export const clientFixtureCollections = [
  { name: 'authors', fields: [{ name: 'name', type: 'text', required: true }], listRule: '', viewRule: '', createRule: '@request.auth.id != ""' },
  {
    name: 'posts',
    listRule: 'published = true || owner = @request.auth.id',
    viewRule: 'published = true || owner = @request.auth.id',
    createRule: 'owner = @request.auth.id',
    updateRule: 'owner = @request.auth.id',
    deleteRule: 'owner = @request.auth.id',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'views', type: 'number', integer: true },
      { name: 'published', type: 'bool', default: false },
      { name: 'status', type: 'select', values: ['draft', 'live'] },
      { name: 'tags', type: 'select', values: ['a', 'b'], multiple: true },
      { name: 'meta', type: 'json' },
      { name: 'author', type: 'relation', collection: 'authors' },
      { name: 'reviewers', type: 'relation', collection: 'authors', multiple: true },
      { name: 'owner', type: 'relation', collection: 'users' },
    ],
  },
] as const;
