/** Collection definitions as the server serves them (`GET /api/collections`, schema files): every default filled in. */

export type OnDelete = 'cascade' | 'restrict' | 'setNull';

/**
 * Who may read a field of a record they may view: `everyone` (the default), `owner` (the account itself, on auth
 * collections only) or `admins`. Whoever may not read a field gets records without it, and filters and sorts on
 * it are refused as if it did not exist — for everyone but admins, since a filter spans other records too.
 */
export type FieldVisibility = 'everyone' | 'owner' | 'admins';

export interface FieldCommon {
  /** Stable identity: survives renames, so a schema file in git can rename a field without losing data. */
  id: string;
  name: string;
  required: boolean;
  unique: boolean;
  /** Never returned by any API and not usable in client filters or sorts (rules may use it). */
  hidden?: boolean;
  /** Absent: `everyone`, except an auth collection's `email`, which is `owner` unless set otherwise. */
  visibility?: FieldVisibility;
  /** Only admins (and Causeway itself) may set it; others get a `read_only` validation error. */
  readOnly?: boolean;
}

export interface TextField extends FieldCommon {
  type: 'text';
  min?: number;
  max?: number;
  pattern?: string;
  default?: string;
}
export interface NumberField extends FieldCommon {
  type: 'number';
  integer: boolean;
  min?: number;
  max?: number;
  default?: number;
}
export interface BoolField extends FieldCommon {
  type: 'bool';
  default?: boolean;
}
export interface DateField extends FieldCommon {
  type: 'date';
  default?: string;
}
export interface DateTimeField extends FieldCommon {
  type: 'datetime';
  default?: string;
}
export interface EmailField extends FieldCommon {
  type: 'email';
  default?: string;
}
export interface UrlField extends FieldCommon {
  type: 'url';
  default?: string;
}
export interface SelectField extends FieldCommon {
  type: 'select';
  values: string[];
  multiple: boolean;
  default?: string | string[];
}
export interface JsonField extends FieldCommon {
  type: 'json';
  default?: unknown;
}
export interface RelationField extends FieldCommon {
  type: 'relation';
  /** Name of the target collection. */
  collection: string;
  multiple: boolean;
  onDelete: OnDelete;
  /**
   * Any existing target may be linked, even one the writer may not view (invitations). Without it a non-admin
   * may only link records it could read by id, so a relation cannot become a window onto hidden records.
   */
  linkAny?: boolean;
}

/**
 * Files uploaded with the record (`multipart/form-data`). The record holds the stored file names (a string, or a
 * list when `multiple`); the bytes live in the file storage and download at `/api/files/{collection}/{id}/{name}`.
 */
export interface FileField extends FieldCommon {
  type: 'file';
  multiple: boolean;
  /** Most files a `multiple` field holds. */
  maxFiles?: number;
  /** Largest file accepted, in bytes. */
  maxSize: number;
  /** MIME types accepted, as sniffed from the content (`image/*` allowed); absent: any. */
  mimeTypes?: string[];
  /** Downloads need a short-lived file token (`POST /api/files/token`) besides the record's view rule. */
  protected?: boolean;
  /** Thumbnail sizes served for images, as `WxH` (`100x100`; `0x300` keeps the aspect ratio). */
  thumbs?: string[];
}

export type Field =
  | FileField
  | TextField
  | NumberField
  | BoolField
  | DateField
  | DateTimeField
  | EmailField
  | UrlField
  | SelectField
  | JsonField
  | RelationField;

export type FieldType = Field['type'];

export interface IndexDefinition {
  name: string;
  /** Field names, in index order; `created` and `updated` are allowed too. */
  fields: string[];
  unique: boolean;
}

/** `auth` collections hold accounts that can sign in: email, password hash and verification state. */
export type CollectionType = 'base' | 'auth';

export type RuleAction = 'list' | 'view' | 'create' | 'update' | 'delete';
export type RuleKey = `${RuleAction}Rule`;

/**
 * Who may do what, per action: `null` means admins only, `""` anyone, otherwise a filter expression
 * that must hold for the record (see docs/auth.md).
 */
export type CollectionRules = Record<RuleKey, string | null>;

/** A collection as stored and served: the normalised form, every default filled in. */
export interface CollectionDefinition extends CollectionRules {
  id: string;
  name: string;
  type: CollectionType;
  fields: Field[];
  indexes: IndexDefinition[];
  created: string;
  updated: string;
}
