import { errorCodes, fieldTypes } from '@causeway/core';
import type { JsonSchema, PathItem } from './openapi-types.js';

type ErrorRefs = (...statuses: number[]) => Record<string, { $ref: string }>;
type ParameterRefs = (...names: ('confirm' | 'id')[]) => { $ref: string }[];

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** Schemas of the fixed parts of the API: problems, collection definitions, batch. */
export function collectionSchemaComponents(): Record<string, JsonSchema> {
  const issue: JsonSchema = {
    type: 'object',
    properties: { code: { type: 'string' }, message: { type: 'string' }, position: { type: 'integer', minimum: 0, description: 'Character position, when the field holds an expression (a rule).' } },
    required: ['code', 'message'],
  };
  return {
    Problem: {
      type: 'object',
      properties: {
        type: { type: 'string', format: 'uri', description: '`urn:causeway:problem:` and the code in kebab case.' },
        title: { type: 'string' },
        status: { type: 'integer', minimum: 400, maximum: 599 },
        code: { type: 'string', enum: errorCodes, description: 'Stable and machine-readable (the error catalogue in docs/rest.md).' },
        detail: { type: 'string' },
        instance: { type: 'string', description: 'The request path.' },
        errors: { type: 'object', description: 'Per-field issues, keyed by field path (`title`, `operations.3.data.email`).', additionalProperties: issue },
        position: { type: 'integer', minimum: 0, description: 'Character position in a filter or sort.' },
        retryAfter: { type: 'integer', minimum: 0, description: 'With 429: seconds to wait (also the Retry-After header).' },
        loss: { type: 'object', description: 'With CONFIRMATION_REQUIRED: what the change would delete.' },
        action: { type: 'string', description: 'With FORBIDDEN from a rule: the refused action.' },
        currentVersion: { type: 'string', description: 'With PRECONDITION_FAILED: the record\'s current version tag.' },
      },
      required: ['type', 'title', 'status', 'code', 'detail'],
    },
    Field: {
      type: 'object',
      description: 'A field definition; options depend on `type` (see docs/rest.md).',
      properties: {
        id: { type: 'string' },
        name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$' },
        type: { type: 'string', enum: [...fieldTypes] },
        required: { type: 'boolean' },
        unique: { type: 'boolean' },
        hidden: { type: 'boolean', description: 'Never returned; not usable in client filters or sorts.' },
        readOnly: { type: 'boolean', description: 'Only admins may set it.' },
        visibility: {
          type: 'string',
          enum: ['everyone', 'owner', 'admins'],
          description: 'Who may read it (and, but for admins, filter and sort by it): everyone who may view the record (default), the account itself (auth collections only; the default for `email`), or admins.',
        },
      },
      required: ['name', 'type'],
    },
    FieldTypeInfo: {
      type: 'object',
      description: 'A field type and how an editor shows it: the control for values (`input`), whether it takes `multiple`, a `default` and `unique`, and its options.',
      properties: {
        type: { type: 'string', enum: [...fieldTypes] },
        input: { type: 'string', enum: ['text', 'number', 'checkbox', 'date', 'datetime', 'choice', 'json', 'relation', 'file'] },
        multiple: { type: 'boolean' },
        default: { type: 'boolean' },
        unique: { type: 'boolean' },
        options: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              key: { type: 'string' },
              label: { type: 'string' },
              control: { type: 'string', enum: ['number', 'text', 'flag', 'list', 'megabytes', 'choice', 'collection'] },
              choices: { type: 'array', items: { type: 'object', properties: { value: { type: 'string' }, label: { type: 'string' } }, required: ['value', 'label'] } },
              placeholder: { type: 'string' },
              title: { type: 'string' },
              whenMultiple: { type: 'boolean' },
              essential: { type: 'boolean' },
            },
            required: ['key', 'label', 'control'],
          },
        },
      },
      required: ['type', 'input', 'multiple', 'default', 'unique', 'options'],
    },
    Collection: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$' },
        type: { type: 'string', enum: ['base', 'auth'] },
        fields: { type: 'array', items: ref('Field') },
        indexes: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, fields: { type: 'array', items: { type: 'string' } }, unique: { type: 'boolean' } }, required: ['fields'] } },
        ...Object.fromEntries(
          ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'].map((key) => [
            key,
            { type: ['string', 'null'], description: 'null: admins only; "": anyone; otherwise a filter expression (docs/auth.md).' },
          ]),
        ),
        created: { type: 'string', format: 'date-time' },
        updated: { type: 'string', format: 'date-time' },
      },
      required: ['name'],
    },
    RequestLog: {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              time: { type: 'string', format: 'date-time' },
              requestId: { type: 'string' },
              method: { type: 'string' },
              path: { type: 'string', description: 'Without the query string.' },
              status: { type: 'integer' },
              durationMs: { type: 'number' },
            },
            required: ['time', 'requestId', 'method', 'path', 'status', 'durationMs'],
          },
        },
        capacity: { type: 'integer', description: 'How many requests the instance keeps (CAUSEWAY_REQUEST_LOG_SIZE).' },
      },
      required: ['items', 'capacity'],
    },
    Settings: {
      type: 'object',
      properties: {
        accessTokenTtl: { type: 'integer', minimum: 30, maximum: 86_400, description: 'Access token lifetime, in seconds.' },
        refreshTokenTtl: { type: 'integer', minimum: 60, maximum: 31_536_000, description: 'Refresh token (session) lifetime, in seconds.' },
        allowedOrigins: { type: 'array', items: { type: 'string' }, description: 'Origins CORS allows; `*` allows any.' },
        accountMail: ref('AccountMailSettings'),
        requireAdminMfa: { type: 'boolean', description: 'Every admin must use a second factor; one without is made to set it up at sign-in.' },
      },
      required: ['accessTokenTtl', 'refreshTokenTtl', 'allowedOrigins', 'accountMail', 'requireAdminMfa'],
      additionalProperties: false,
    },
    MailTemplate: {
      type: 'object',
      description: 'An account mail: `{{link}}`, `{{token}}`, `{{email}}`, `{{collection}}` and `{{appUrl}}` are filled in (HTML-escaped in `html`).',
      properties: { subject: { type: 'string', minLength: 1, maxLength: 200 }, text: { type: 'string', minLength: 1, maxLength: 20_000 }, html: { type: 'string', minLength: 1, maxLength: 100_000 } },
      required: ['subject', 'text'],
      additionalProperties: false,
    },
    AccountMailSettings: {
      type: 'object',
      description: 'Per auth collection (or `_admins`): mail templates and link templates of account mail; links are absolute http(s) URLs holding `{{token}}` (and optionally `{{collection}}`). Absent: the pages Causeway serves (`/auth/verify-email`, `/auth/reset-password`).',
      additionalProperties: {
        type: 'object',
        properties: {
          verifyEmailUrl: { type: 'string', maxLength: 2000 },
          resetPasswordUrl: { type: 'string', maxLength: 2000 },
          verificationMail: ref('MailTemplate'),
          passwordResetMail: ref('MailTemplate'),
        },
        additionalProperties: false,
      },
    },
    SchemaDocument: { type: 'object', properties: { version: { type: 'integer' }, collections: { type: 'array', items: ref('Collection') } }, required: ['collections'] },
    BatchResults: {
      type: 'object',
      properties: {
        results: {
          type: 'array',
          items: {
            description: 'create and update: the whole record (of its collection\'s Record schema) and its ETag; delete: the id.',
            oneOf: [
              {
                type: 'object',
                properties: { action: { enum: ['create', 'update'] }, record: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }, etag: { type: 'string' } },
                required: ['action', 'record', 'etag'],
                additionalProperties: false,
              },
              { type: 'object', properties: { action: { const: 'delete' }, id: { type: 'string' } }, required: ['action', 'id'], additionalProperties: false },
            ],
          },
        },
      },
      required: ['results'],
    },
    BatchRequest: {
      type: 'object',
      properties: {
        operations: {
          type: 'array',
          minItems: 1,
          maxItems: 1000,
          items: {
            oneOf: [
              { type: 'object', properties: { action: { const: 'create' }, collection: { type: 'string', minLength: 1 }, data: { type: 'object', description: 'The record; `id` may be chosen here.' } }, required: ['action', 'collection', 'data'], additionalProperties: false },
              { type: 'object', properties: { action: { const: 'update' }, collection: { type: 'string', minLength: 1 }, id: { type: 'string', minLength: 1 }, data: { type: 'object' }, ifMatch: { type: 'string' } }, required: ['action', 'collection', 'id', 'data'], additionalProperties: false },
              { type: 'object', properties: { action: { const: 'delete' }, collection: { type: 'string', minLength: 1 }, id: { type: 'string', minLength: 1 }, ifMatch: { type: 'string' } }, required: ['action', 'collection', 'id'], additionalProperties: false },
            ],
          },
        },
      },
      required: ['operations'],
      additionalProperties: false,
    },
  };
}

/** Health, settings, the request log, collections management, the schema document, batch and this document. */
export function staticPaths(errors: ErrorRefs, use: ParameterRefs): Record<string, PathItem> {
  const tags = ['collections'];
  const collectionPath = { name: 'name', in: 'path' as const, required: true, schema: { type: 'string' } };
  // Admin-only routes say why they refuse: 401 UNAUTHENTICATED anonymous, 403 FORBIDDEN or NO_ADMIN otherwise.
  const adminOnly = (...statuses: number[]) => errors(401, 403, ...statuses);
  const names = { type: 'array', items: { type: 'string' } };
  return {
    '/api/health': {
      get: { operationId: 'health', summary: 'Health check', tags: ['system'], responses: { '200': { description: 'Up.', content: json({ type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] }) } } },
    },
    '/api/openapi.json': {
      get: { operationId: 'openapi', summary: 'This document, for the live schema', tags: ['system'], responses: { '200': { description: 'An OpenAPI 3.1 document.', content: json({ type: 'object', properties: { openapi: { type: 'string' } }, required: ['openapi'] }) } } },
    },
    '/api/settings': {
      get: { operationId: 'getSettings', summary: 'Runtime settings (admins only)', tags: ['system'], responses: { '200': { description: 'The settings in force.', content: json(ref('Settings')) }, ...adminOnly() } },
      patch: {
        operationId: 'updateSettings',
        summary: 'Change runtime settings; the next request uses them (admins only)',
        tags: ['system'],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            properties: { accessTokenTtl: { type: 'integer', minimum: 30, maximum: 86_400 }, refreshTokenTtl: { type: 'integer', minimum: 60, maximum: 31_536_000 }, allowedOrigins: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 100 }, accountMail: ref('AccountMailSettings'), requireAdminMfa: { type: 'boolean' } },
            additionalProperties: false,
          }),
        },
        responses: { '200': { description: 'The settings in force.', content: json(ref('Settings')) }, ...adminOnly(422) },
      },
    },
    '/api/settings/account-mail/defaults': {
      get: {
        operationId: 'accountMailDefaults',
        summary: 'The default account mail templates and the variables templates may use (admins only)',
        tags: ['system'],
        responses: {
          '200': {
            description: 'Default templates.',
            content: json({
              type: 'object',
              properties: {
                verificationMail: ref('MailTemplate'),
                passwordResetMail: ref('MailTemplate'),
                mailVariables: { type: 'array', items: { type: 'string' } },
                linkVariables: { type: 'array', items: { type: 'string' } },
              },
              required: ['verificationMail', 'passwordResetMail', 'mailVariables', 'linkVariables'],
              additionalProperties: false,
            }),
          },
          ...adminOnly(),
        },
      },
    },
    '/api/settings/account-mail/test': {
      post: {
        operationId: 'sendTestMail',
        summary: 'Send an account mail as it would go out now, with a token that opens nothing (admins only)',
        tags: ['system'],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            properties: { collection: { type: 'string', description: 'An auth collection, or `_admins`.' }, kind: { type: 'string', enum: ['verification', 'password-reset'] }, to: { type: 'string', format: 'email' } },
            required: ['collection', 'kind', 'to'],
          }),
        },
        responses: {
          '200': {
            description: 'Whether the mail server took the mail; `reason` is its refusal.',
            content: json({ type: 'object', properties: { sent: { type: 'boolean' }, reason: { type: 'string' } }, required: ['sent'], additionalProperties: false }),
          },
          ...adminOnly(404, 422, 429),
        },
      },
    },
    '/api/logs': {
      get: {
        operationId: 'listRequestLog',
        summary: 'Recent requests this instance answered, newest first (admins only)',
        tags: ['system'],
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'status', in: 'query', description: 'Only errors (`error`: 400 and above), client errors (`4xx`) or server errors (`5xx`).', schema: { type: 'string', enum: ['error', '4xx', '5xx'] } },
        ],
        responses: { '200': { description: 'The requests, without bodies, headers or query strings.', content: json(ref('RequestLog')) }, ...adminOnly(400) },
      },
    },
    '/api/collections': {
      get: { operationId: 'listCollections', summary: 'List collections (admins only)', tags, responses: { '200': { description: 'Collections.', content: json({ type: 'object', properties: { items: { type: 'array', items: ref('Collection') } }, required: ['items'] }) }, ...adminOnly() } },
      post: { operationId: 'createCollection', summary: 'Create a collection (admins only)', tags, requestBody: { required: true, content: json(ref('Collection')) }, responses: { '201': { description: 'Created.', content: json(ref('Collection')) }, ...adminOnly(400, 409) } },
    },
    '/api/collections/{name}': {
      get: { operationId: 'getCollection', summary: 'Get a collection (admins only)', tags, parameters: [collectionPath], responses: { '200': { description: 'The collection.', content: json(ref('Collection')) }, ...adminOnly(404) } },
      patch: { operationId: 'updateCollection', summary: 'Alter a collection (admins only)', tags, parameters: [collectionPath, ...use('confirm')], requestBody: { required: true, content: json(ref('Collection')) }, responses: { '200': { description: 'Altered.', content: json(ref('Collection')) }, ...adminOnly(400, 404, 409) } },
      delete: { operationId: 'deleteCollection', summary: 'Delete a collection and its records (admins only)', tags, parameters: [collectionPath, ...use('confirm')], responses: { '204': { description: 'Deleted.' }, ...adminOnly(400, 404, 409) } },
    },
    '/api/field-types': {
      get: { operationId: 'listFieldTypes', summary: 'Field types and how the console edits them (admins only)', tags, responses: { '200': { description: 'Every field type.', content: json({ type: 'object', properties: { items: { type: 'array', items: ref('FieldTypeInfo') } }, required: ['items'] }) }, ...adminOnly() } },
    },
    '/api/schema': {
      get: { operationId: 'exportSchema', summary: 'Export the whole schema (admins only)', tags, responses: { '200': { description: 'The schema document.', content: json(ref('SchemaDocument')) }, ...adminOnly() } },
    },
    '/api/schema/import': {
      post: {
        operationId: 'importSchema',
        summary: 'Apply a schema document (admins only)',
        tags,
        parameters: use('confirm'),
        requestBody: { required: true, content: json(ref('SchemaDocument')) },
        responses: { '200': { description: 'What changed.', content: json({ type: 'object', properties: { created: names, updated: names, unchanged: names } }) }, ...adminOnly(400, 409) },
      },
    },
    '/api/batch': {
      post: {
        operationId: 'batch',
        summary: 'Several writes in one transaction',
        tags: ['system'],
        requestBody: { required: true, content: json(ref('BatchRequest')) },
        responses: { '200': { description: 'Every operation succeeded, in order.', content: json(ref('BatchResults')) }, ...errors(400, 403, 404, 409, 412, 422) },
      },
    },
  };
}
