import { collectExtensions, type ExtensionSet } from '../../packages/server/src/extend/extension-set.js';
import type { Extension } from '../../packages/server/src/extend/extender.js';
import type { SchemaShape } from '../../packages/server/src/extend/schema-types.js';

/** What extensions given in code register (as `createCauseway` collects them); rejects as start-up would. */
export function collect(extensions: readonly Extension<SchemaShape>[]): Promise<ExtensionSet> {
  return collectExtensions(extensions.map((extension, index) => ({ extension, source: `extension ${index + 1}` })));
}
