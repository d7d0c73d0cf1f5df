import { isCausewayError, type AuthService, type CollectionsService } from '@causeway/core';

/** The `users` collection a new data directory starts with: people may sign up, and see and edit only themselves. */
export const defaultUsersCollection = {
  name: 'users',
  type: 'auth',
  fields: [{ name: 'name', type: 'text', max: 200 }],
  listRule: 'id = @request.auth.id',
  viewRule: 'id = @request.auth.id',
  createRule: '',
  updateRule: 'id = @request.auth.id',
  deleteRule: 'id = @request.auth.id',
} as const;

/**
 * Creates `users` in a brand-new data directory (no collections, no admin), so that deleting it later
 * is respected on the next start.
 */
export async function seedUsersCollection(collections: CollectionsService, auth: AuthService): Promise<void> {
  if (collections.list().length > 0 || (await auth.hasAdmin())) return;
  try {
    await collections.create(defaultUsersCollection);
  } catch (error) {
    // Another instance starting on the same new database seeded it first.
    if (!isCausewayError(error) || error.code !== 'COLLECTION_EXISTS') throw error;
  }
}
