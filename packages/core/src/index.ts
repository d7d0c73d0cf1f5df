export * from './errors/error-codes.js';
export * from './errors/causeway-error.js';
export { fromZodError } from './errors/zod-issues.js';
export * from './schema/field.js';
export type {
  ColumnKind,
  DefinitionInput,
  FieldTypeDescriptor,
  FilterFacet,
  FilterOperand,
  FilterOperator,
  GraphQLScalarKind,
  GraphQLShape,
  ValueJsonSchema,
  ValueShape,
} from './schema/field-types/field-type-descriptor.js';
export * from './schema/collection.js';
export * from './schema/collection-input.js';
export * from './schema/schema-lookup.js';
export * from './schema/schema-registry.js';
export * from './schema/collections-service.js';
export * from './sql/sql-dialect.js';
export * from './sql/sql-database.js';
export { assertStorableParams } from './sql/storable-params.js';
export * from './sql/sql-template.js';
export * from './events/change-event.js';
export * from './events/event-bus.js';
export * from './events/memory-bus.js';
export * from './records/record.js';
export * from './records/etag.js';
export * from './records/list-query.js';
export * from './records/batch.js';
export * from './records/records-service.js';
export * from './records/record-row.js';
export * from './records/field-visibility.js';
export * from './records/field-codec.js';
export * from './records/change-log.js';
export * from './schema/collections-table.js';
export * from './schema/schema-generation.js';
export * from './schema/collection-indexes.js';
export * from './schema/prepare-database.js';
export * from './query/parse-sort.js';
export * from './query/index.js';
export * from './rules/caller.js';
export * from './rules/access-rules.js';
export * from './schema/account-fields.js';
export * from './auth/access-tokens.js';
export * from './auth/signing-keys.js';
export * from './auth/auth-service.js';
export * from './auth/mailer.js';
export * from './auth/account-mail.js';
export { secondFactorsTable, type SecondFactorStatus, type TotpSetup } from './auth/second-factors.js';
export type { PasskeyInfo } from '@causeway/wire';
export { passkeysTable, type PasskeySettings, type PasskeyRegistrationOptions, type PasskeySignInOptions } from './auth/passkeys.js';
export * from './auth/passwords.js';
export * from './auth/password-hasher.js';
export * from './auth/sessions.js';
export * from './auth/live-session.js';
export * from './auth/one-time-tokens.js';
export { OAuthService, type OAuthServiceDeps, type PublicProvider } from './auth/oauth/oauth-service.js';
export { openSecretBox, SecretBox } from './auth/oauth/secret-box.js';
export { oauthProvidersTable } from './auth/oauth/oauth-providers.js';
export { oauthStatesTable } from './auth/oauth/oauth-states.js';
export { identitiesTable, type Identity } from './auth/oauth/identities.js';
export { oauthPresets, type OAuthPreset, type OAuthProviderView } from './auth/oauth/provider-settings.js';
export * from './realtime/change-feed.js';
export * from './realtime/list-diff.js';
export * from './realtime/subscriptions.js';
export * from './realtime/realtime-hub.js';
export * from './rules/channel-rules.js';
export * from './settings/settings-service.js';
export * from './settings/deployment-id.js';
export { JobRuns, jobRunsTable, type JobRun } from './jobs/job-runs.js';
export { jsonDeeperThan, maxJsonDepth } from './values/json-depth.js';
export type { FileStorage, StoredObject, ByteRange } from './files/file-storage.js';
export { fileKey, thumbKey, parseFileKey } from './files/file-keys.js';
export { storedFileName, storedNamePattern } from './files/file-names.js';
export { fileTypeOf, servedInline, hasThumbnails, typeAllowed } from './files/file-types.js';
export { fileNames, uploadIssue, type Upload } from './files/uploads.js';
export { defaultMaxFileSize } from './files/file-limits.js';
export { sweepOrphans, type OrphanSweepDeps } from './files/orphan-sweep.js';
export * from './hooks/record-hooks.js';
export * from './hooks/hook-records.js';
export * from './hooks/run-hook.js';
export * from './hooks/after-commit.js';
export * from './hooks/hook-cursors.js';
export * from './hooks/account-hooks.js';
