/**
 * Causeway's wire types: the one declaration of what the REST and realtime APIs send and accept, imported by the
 * server, the client and the console. Types only: this package has no code and no dependencies.
 */
export type { ErrorCode } from './error-code.js';
export type { FieldIssue, Problem } from './problem.js';
export type { WireRecord } from './wire-record.js';
export type { ListPage } from './list-page.js';
export type { ListOp } from './list-op.js';
export type { RequestLogEntry } from './request-log-entry.js';
export type { PasskeyInfo } from './passkey.js';
export type { OAuthPreset, OAuthProviderView } from './oauth-provider.js';
export type {
  BoolField,
  CollectionDefinition,
  CollectionRules,
  CollectionType,
  DateField,
  DateTimeField,
  EmailField,
  Field,
  FieldCommon,
  FieldType,
  FieldVisibility,
  IndexDefinition,
  JsonField,
  NumberField,
  OnDelete,
  RelationField,
  FileField,
  RuleAction,
  RuleKey,
  SelectField,
  TextField,
  UrlField,
} from './collection-definition.js';
export type { DefinitionOptionHint, EditorHints, FieldTypeInfo, RecordInputKind } from './field-type-info.js';
export type {
  ChannelMember,
  JsonValue,
  RealtimeClientMessage,
  RealtimeServerMessage,
  RecordOp,
  SessionEndReason,
  SubscribeSpec,
  SubscriptionMessage,
  UnsubscribedReason,
} from './realtime-messages.js';
export type { ExtensionsOverview, HookErrorEntry, JobRunEntry, LoadedHookEntry } from './extensions-overview.js';
