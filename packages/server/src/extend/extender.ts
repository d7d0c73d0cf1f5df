import {
  CausewayError,
  type AfterWriteEvent,
  type BeforeWriteEvent,
  type CommittedChange,
  type ErrorCode,
  type FieldIssue,
  type ListPage,
  type ListQuery,
  type MailEvent,
  type ReadOptions,
  type SignInEvent,
  type SignUpEvent,
} from '@causeway/core';

import type { Jobs } from './jobs.js';
import type { Routes } from './routes.js';
import type { AnySchema, SchemaShape } from './schema-types.js';

type Name<S> = Extract<keyof S, string>;
type Hook<E> = (event: E) => void | Promise<void>;
type RecordOf<S extends SchemaShape, C extends Name<S>> = S[C]['record'] & { id: string; created: string; updated: string };

/**
 * The records a hook is given (`HookRecords`: inside the write's transaction, as the caller), typed by the schema:
 * a collection's create and update data and its records have its generated types.
 */
export interface TypedRecords<S extends SchemaShape> {
  get<C extends Name<S>>(collection: C, id: string, options?: ReadOptions): Promise<RecordOf<S, C>>;
  list<C extends Name<S>>(collection: C, query?: ListQuery): Promise<Omit<ListPage, 'items'> & { items: RecordOf<S, C>[] }>;
  create<C extends Name<S>>(collection: C, data: S[C]['create']): Promise<RecordOf<S, C>>;
  update<C extends Name<S>>(collection: C, id: string, data: S[C]['update']): Promise<RecordOf<S, C>>;
  delete(collection: Name<S>, id: string): Promise<void>;
  /** The same transaction with admin rights: rules do not apply and read-only fields may be set. */
  asAdmin(): TypedRecords<S>;
}

/** A core hook event with its `records` typed by the schema. */
type Typed<E, S extends SchemaShape> = Omit<E, 'records'> & { records: TypedRecords<S> };
type Before<S extends SchemaShape, Data> = Typed<BeforeWriteEvent<Data>, S>;
type After<S extends SchemaShape, Rec> = Typed<AfterWriteEvent<Rec>, S>;

/**
 * Record hooks, per collection or `'*'` for all. Before-hooks run inside the write's transaction before it is
 * validated (change `data`, throw `refuse(…)`, read or write through `records`); after-hooks run inside it after
 * the write; after-commit hooks run once the change is committed, from the change log, at least once.
 */
export interface RecordHooks<S extends SchemaShape = AnySchema> {
  beforeCreate<C extends Name<S>>(collection: C, hook: Hook<Before<S, S[C]['create']>>): void;
  beforeCreate(collection: '*', hook: Hook<Before<S, Record<string, unknown>>>): void;
  beforeUpdate<C extends Name<S>>(collection: C, hook: Hook<Before<S, S[C]['update']>>): void;
  beforeUpdate(collection: '*', hook: Hook<Before<S, Record<string, unknown>>>): void;
  /** `data` is `{}`; `record` is the record about to go. */
  beforeDelete<C extends Name<S>>(collection: C | '*', hook: Hook<Before<S, Record<string, never>>>): void;
  afterCreate<C extends Name<S>>(collection: C, hook: Hook<After<S, RecordOf<S, C>>>): void;
  afterCreate(collection: '*', hook: Hook<After<S, AfterWriteEvent['record']>>): void;
  afterUpdate<C extends Name<S>>(collection: C, hook: Hook<After<S, RecordOf<S, C>>>): void;
  afterUpdate(collection: '*', hook: Hook<After<S, AfterWriteEvent['record']>>): void;
  afterDelete<C extends Name<S>>(collection: C, hook: Hook<After<S, RecordOf<S, C>>>): void;
  afterDelete(collection: '*', hook: Hook<After<S, AfterWriteEvent['record']>>): void;
  /**
   * Runs once per committed change of `collection` (create, update, delete, cascades included), in `seq` order,
   * at least once: use `change.seq` to make it idempotent. `name` keys its stored position (default: the file
   * and the collection, numbered in order).
   */
  afterCommit(collection: Name<S> | '*', hook: (change: CommittedChange) => void | Promise<void>, options?: { name?: string }): void;
}

/** Auth hooks, per auth collection or `'*'` (never admins). */
export interface AuthHooks<S extends SchemaShape = AnySchema> {
  beforeSignUp<C extends Name<S>>(collection: C, hook: Hook<SignUpEvent<S[C]['create'] & { email?: unknown }>>): void;
  beforeSignUp(collection: '*', hook: Hook<SignUpEvent>): void;
  afterSignIn<C extends Name<S>>(collection: C, hook: Hook<SignInEvent<RecordOf<S, C>>>): void;
  afterSignIn(collection: '*', hook: Hook<SignInEvent>): void;
  /** Every account mail (verification, password reset) before it is sent: change its subject, text or html. */
  beforeMail(hook: Hook<MailEvent>): void;
}

/** What an extension registers things on: the one object a hooks file and library mode both receive. */
export interface Extender<S extends SchemaShape = AnySchema> extends RecordHooks<S>, AuthHooks<S>, Routes<S>, Jobs<S> {
  /** A refusal for a hook to throw: answered as problem+json with `code`'s status, `message` and per-field messages. */
  refuse(code: ErrorCode, message: string, fields?: Record<string, string | FieldIssue>): CausewayError;
}

/**
 * A user's extension: one function registering hooks (and routes and jobs) on the `Extender`; the same from a
 * hooks file and a library. Declared as a method so its parameter is bivariant: extensions typed by different
 * schemas go in one list.
 */
export type Extension<S extends SchemaShape = AnySchema> = { register(causeway: Extender<S>): void | Promise<void> }['register'];

/** Marks what `defineExtension` returned, so a hooks file's default export is known to be meant as one. */
const extensionBrand = Symbol.for('causeway.extension');

/**
 * Declares an extension and returns it (the same function, marked). Give it the `Schema` written by
 * `causeway types` to type each collection's `data` and `record`, so a wrong field name fails to compile.
 *
 * @example
 * export default defineExtension<Schema>((causeway) => {
 *   causeway.beforeCreate('posts', ({ data }) => { data.slug = slugify(data.title); });
 * });
 */
export function defineExtension<S extends SchemaShape = AnySchema>(extension: Extension<S>): Extension<S> {
  if (typeof extension !== 'function') throw new TypeError('defineExtension takes a function: (causeway) => { … }');
  // Symbol.for: a second copy of this module (a bundled one) marks alike.
  Object.defineProperty(extension, extensionBrand, { value: true });
  return extension;
}

/** Whether `value` came from `defineExtension` (a hooks file's default export must). */
export function isExtension(value: unknown): value is Extension<SchemaShape> {
  return typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[extensionBrand] === true;
}

/** The refusal hooks throw; per-field messages may be plain strings. */
export function refusal(code: ErrorCode, message: string, fields?: Record<string, string | FieldIssue>): CausewayError {
  const issues = fields ? Object.fromEntries(Object.entries(fields).map(([field, issue]) => [field, typeof issue === 'string' ? { code: 'invalid', message: issue } : issue])) : undefined;
  return new CausewayError(code, message, issues ? { fields: issues } : {});
}
