import { versionTag } from '../records/etag.js';
import { withheldFields, withoutFields } from '../records/field-visibility.js';
import type { CausewayRecord } from '../records/record.js';
import type { Caller } from '../rules/caller.js';
import type { Collection } from '../schema/collection.js';

/** Per image of a change: its copies without some fields, by the names withheld (see `sharedVisibleImage`). */
const copies = new WeakMap<CausewayRecord, Map<string, CausewayRecord>>();
/** Per image of a change: its version tag, by version. */
const tags = new WeakMap<CausewayRecord, Map<number, string>>();

/**
 * An image of a change (`event.record` or `event.previous`, shared by every subscription) as `caller` may see
 * it. Callers who may read the same fields of it get the very same object — the image itself when nothing is
 * withheld, else one copy per set of withheld fields — so delivery can encode an event once per visibility
 * shape rather than once per subscriber (the realtime server keys its encodings on the object). A caller who
 * may read fewer fields always gets another object: an encoding can never carry a field to someone who may not
 * read it. The copies live as long as the image does.
 */
export function sharedVisibleImage(collection: Collection, image: CausewayRecord, caller: Caller): CausewayRecord {
  const withheld = withheldFields(collection, image, caller);
  if (withheld.length === 0) return image;
  const shape = withheld.map((field) => field.name).join('\u0000');
  let byShape = copies.get(image);
  if (!byShape) copies.set(image, (byShape = new Map()));
  let copy = byShape.get(shape);
  if (!copy) byShape.set(shape, (copy = Object.freeze(withoutFields(image, withheld))));
  return copy;
}

/** The version tag of an image of a change, worked out once per image and version however many subscribers it reaches. */
export function imageVersionTag(image: CausewayRecord, version: number): string {
  let byVersion = tags.get(image);
  if (!byVersion) tags.set(image, (byVersion = new Map()));
  let tag = byVersion.get(version);
  if (tag === undefined) byVersion.set(version, (tag = versionTag({ record: image, version })));
  return tag;
}
