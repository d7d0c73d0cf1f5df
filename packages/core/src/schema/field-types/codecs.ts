/**
 * Between API values and column values, by storage: the codecs field types pick from. Decoding accepts both the
 * SQLite and the PostgreSQL driver's forms, so it needs no dialect.
 */

import type { SqlDialect } from '../../sql/sql-dialect.js';

export interface Codec {
  encode(value: unknown, dialect: SqlDialect): unknown;
  decode(raw: unknown): unknown;
}

const absent = (raw: unknown) => raw === null || raw === undefined;

/** Strings (and other values the driver stores as they are). */
export const plainCodec: Codec = {
  encode: (value) => value,
  decode: (raw) => (absent(raw) ? null : raw),
};

/** Numbers: a driver may hand back an integer column as a bigint. */
export const numberCodec: Codec = {
  encode: (value) => value,
  decode: (raw) => (absent(raw) ? null : typeof raw === 'bigint' ? Number(raw) : raw),
};

/** Booleans go through the dialect (SQLite has no boolean: 0 and 1). */
export const booleanCodec: Codec = {
  encode: (value, dialect) => dialect.encodeParam(value === true),
  decode: (raw) => (absent(raw) ? null : raw === 1 || raw === true || raw === 1n),
};

/** Any JSON value, as JSON text. */
export const jsonCodec: Codec = {
  encode: (value) => JSON.stringify(value),
  decode: (raw) => (absent(raw) ? null : typeof raw === 'string' ? JSON.parse(raw) : raw),
};

/** Lists as JSON text; an empty list is NULL, so `is null` means empty, and NULL reads back as []. */
export const listCodec: Codec = {
  encode: (value) => ((value as unknown[]).length === 0 ? null : JSON.stringify(value)),
  decode: (raw) => (absent(raw) ? [] : typeof raw === 'string' ? JSON.parse(raw) : raw),
};
