/*
 * STAND-IN, branch `extend`. Developer "hooks" owns this file (issue 19): on merge, take theirs and keep
 * `Routes` (./routes.ts) and `Jobs` (./jobs.ts) in their `Extender`; `registerExtensions` (./extensions.ts) then
 * hands their hooks registry the same object.
 */
import type { Jobs } from './jobs.js';
import type { Routes } from './routes.js';
import type { AnySchema, SchemaShape } from './schema-types.js';

/** Record hooks (beforeCreate, afterCommit, …): developer "hooks". */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RecordHooks<_S extends SchemaShape = AnySchema> {}
/** Auth hooks (beforeSignUp, afterSignIn, beforeMail): developer "hooks". */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AuthHooks<_S extends SchemaShape = AnySchema> {}

/** What an extension registers things on. */
export interface Extender<S extends SchemaShape = AnySchema> extends RecordHooks<S>, AuthHooks<S>, Routes<S>, Jobs<S> {}

/**
 * A user's extension: one function registering hooks, routes and jobs; the same from a hooks file and a library.
 * Declared as a method so its parameter is bivariant: extensions typed by different schemas go in one list.
 */
export type Extension<S extends SchemaShape = AnySchema> = { register(causeway: Extender<S>): void | Promise<void> }['register'];

/** Types an extension by the generated `Schema` (`causeway types`); returns it unchanged. */
export function defineExtension<S extends SchemaShape = AnySchema>(extension: Extension<S>): Extension<S> {
  return extension;
}
