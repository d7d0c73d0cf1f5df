/** What every field definition accepts, whatever its type (each type's `input` spreads these). */

import { z } from 'zod';

/** A collection or field name: an identifier every database accepts unquoted-safe and unreserved. */
export const schemaName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'must start with a letter and hold only letters, digits and _ (at most 63)')
  // Databases reserve these prefixes for their own tables.
  .refine((value) => !/^(sqlite_|pg_)/i.test(value), 'must not start with sqlite_ or pg_');

export const commonDefinitionInput = {
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  name: schemaName,
  required: z.boolean().optional(),
  unique: z.boolean().optional(),
  hidden: z.boolean().optional(),
  visibility: z.enum(['everyone', 'owner', 'admins']).optional(),
  readOnly: z.boolean().optional(),
};

export const finite = z.number().finite();
export const length = z.number().int().min(0);
