export * from './errors/error-codes.js';
export * from './errors/causeway-error.js';
export * from './schema/field.js';
export * from './schema/collection.js';
export * from './schema/schema-lookup.js';
export * from './sql/sql-dialect.js';
