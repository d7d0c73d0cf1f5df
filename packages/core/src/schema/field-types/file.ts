import { z } from 'zod';
import type { FileField } from '../field.js';
import { storedNamePattern } from '../../files/file-names.js';
import { defaultMaxFileSize } from '../../files/file-limits.js';
import { listCodec, plainCodec } from './codecs.js';
import { commonDefinitionInput } from './common-definition.js';
import type { FieldTypeDescriptor } from './field-type-descriptor.js';
import { listFilter, scalarFilter, textOperators } from './filter-facets.js';
import { checkList, fail, ok } from './value-checks.js';

/**
 * Stored file names (one, or a list with `multiple`); the bytes live in the file storage. Values name files the
 * record already holds: new files arrive as uploads, which the writer merges in before validation (`withUploads`).
 */
export const fileType: FieldTypeDescriptor<FileField> = {
  type: 'file',
  input: z.strictObject({
    ...commonDefinitionInput,
    type: z.literal('file'),
    multiple: z.boolean().optional(),
    maxFiles: z.number().int().min(1).max(1000).optional(),
    // 5 TB is S3's largest object; larger would only fail later.
    maxSize: z.number().int().min(1).max(5 * 1024 ** 4).optional(),
    mimeTypes: z.array(z.string().regex(/^[a-z0-9][a-z0-9.+-]*\/(?:\*|[a-z0-9][a-z0-9.+-]*)$/, 'must be a MIME type such as image/png or image/*')).max(100).optional(),
    protected: z.boolean().optional(),
    thumbs: z.array(z.string().regex(/^\d{1,4}x\d{1,4}$/, 'must be WxH, such as 100x100 or 0x300')).max(10).optional(),
  }),
  normalize: (input, common) => ({ ...input, ...common, multiple: input.multiple ?? false, maxSize: input.maxSize ?? defaultMaxFileSize }),
  checkDefinition: (field) => {
    // Stored names are unique by construction; a unique constraint would only add an index.
    if (field.unique) return { code: 'unique', message: 'a file field cannot be unique' };
    if (field.maxFiles !== undefined && !field.multiple) return { code: 'max_files', message: 'maxFiles needs multiple: true' };
    if (field.thumbs?.some((size) => size === '0x0')) return { code: 'thumbs', message: 'a thumbnail needs a width or a height' };
    return undefined;
  },

  validate: (field, value) => {
    if (field.multiple) {
      const list = checkList(value, 'file names');
      return list.ok && !(value as string[]).every((name) => storedNamePattern.test(name)) ? fail('file_name', 'must be names of files this record holds') : list;
    }
    return typeof value === 'string' && storedNamePattern.test(value) ? ok(value) : fail('file_name', 'must be the name of a file this record holds');
  },
  shape: (field) => (field.multiple ? 'list' : 'scalar'),
  emptyStringIsNull: (field) => !field.multiple,

  column: () => 'text',
  codec: (field) => (field.multiple ? listCodec : plainCodec),

  filter: (field) => (field.multiple ? listFilter('file') : scalarFilter('file', 'text', textOperators)),
  sortable: (field) => !field.multiple,

  jsonSchema: (field) => {
    const about = `Download at /api/files/{collection}/{id}/{name}${field.protected ? ' with a file token' : ''}; upload as multipart/form-data.`;
    return field.multiple
      ? { type: 'array', items: { type: 'string' }, uniqueItems: true, description: `Stored file names. ${about}` }
      : { type: 'string', description: `Stored file name. ${about}` };
  },
  graphql: (field) => ({ kind: 'file', list: field.multiple }),
  typescript: (field) => (field.multiple ? 'string[]' : 'string'),
  editor: {
    input: 'file',
    multiple: true,
    default: false,
    unique: false,
    options: [
      { key: 'maxSize', label: 'max size (MB)', control: 'megabytes' },
      { key: 'maxFiles', label: 'max files', control: 'number', whenMultiple: true },
      { key: 'mimeTypes', label: 'types', control: 'list', placeholder: 'image/*, application/pdf' },
      { key: 'thumbs', label: 'thumbnails', control: 'list', placeholder: '100x100, 0x300' },
      { key: 'protected', label: 'protected', control: 'flag', title: 'Downloads need a signed-in caller (a file token in <img src>)' },
    ],
  },
};
