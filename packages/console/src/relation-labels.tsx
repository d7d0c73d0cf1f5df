import type { RelationField } from '@causeway/wire';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { BaseRecord } from '@causeway/client';
import { client, type CollectionDefinition } from './api.js';
import { cell, idsOf } from './cells.js';

type Row = BaseRecord & Record<string, unknown>;

const choicesKey = 'causeway.console.display';
/** Display fields chosen in this browser, by target collection. */
function chosen(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(choicesKey) ?? '{}') as Record<string, string>;
  } catch {
    // Not ours to keep: the defaults apply.
    return {};
  }
}

/** What a relation cell shows of the related record: the field chosen here, else its first text field, else its email, else its id. */
export function displayField(target: CollectionDefinition | undefined): string | undefined {
  const visible = target?.fields.filter((f) => !f.hidden) ?? [];
  const choice = target && chosen()[target.name];
  if (choice && visible.some((f) => f.name === choice)) return choice;
  return (visible.find((f) => f.type === 'text') ?? visible.find((f) => f.type === 'email'))?.name;
}

/**
 * Labels of the records the grid's relation cells point to, keyed `field:id`. The live query cannot expand, so
 * the same query is listed once more with `expand` whenever rows point to records not labelled yet.
 */
export function useRelationLabels(collection: CollectionDefinition, collections: CollectionDefinition[], rows: readonly Row[], query: { sort: string; filter: string; limit: number }, version: number): Map<string, string> {
  const relations = collection.fields.filter((f): f is RelationField => f.type === 'relation' && !f.hidden);
  const [labels, setLabels] = useState<{ version: number; map: Map<string, string> }>({ version, map: new Map() });
  const asked = useRef({ version, keys: new Set<string>() });
  useEffect(() => {
    // Another display field was chosen: label everything again.
    if (asked.current.version !== version) asked.current = { version, keys: new Set() };
    const wanted = rows.flatMap((row) => relations.flatMap((f) => idsOf(row[f.name]).map((id) => `${f.name}:${id}`)));
    if (!wanted.some((key) => !asked.current.keys.has(key))) return;
    wanted.forEach((key) => asked.current.keys.add(key));
    const options = { sort: query.sort, limit: query.limit, expand: relations.map((f) => f.name), ...(query.filter ? { filter: query.filter } : {}) };
    client.collection(collection.name).list(options).then((page) => {
      setLabels((previous) => {
        const map = new Map(previous.version === version ? previous.map : []);
        for (const item of page.items as Row[]) {
          const expanded = (item.expand ?? {}) as Record<string, Row | Row[] | undefined>;
          for (const f of relations) {
            const shown = displayField(collections.find((c) => c.name === f.collection));
            for (const related of [expanded[f.name] ?? []].flat()) {
              const text = shown ? related[shown] : undefined;
              if (text !== null && text !== undefined && text !== '') map.set(`${f.name}:${related.id}`, cell(text));
            }
          }
        }
        return { version, map };
      });
      // Labels are a convenience: without them the cells keep showing ids.
    }, () => undefined);
  }, [rows, version]);
  return labels.version === version ? labels.map : new Map();
}

/** Which field of the related records a relation column shows, remembered in this browser. */
export function DisplayChoice({ target, onChange }: { target: CollectionDefinition | undefined; onChange: () => void }) {
  if (!target) return null;
  return (
    <select
      class="display-choice"
      aria-label={`Field of ${target.name} to show`}
      value={displayField(target) ?? 'id'}
      onChange={(e) => {
        localStorage.setItem(choicesKey, JSON.stringify({ ...chosen(), [target.name]: e.currentTarget.value }));
        onChange();
      }}
    >
      {['id', ...target.fields.filter((f) => !f.hidden && f.type !== 'json' && f.type !== 'relation').map((f) => f.name)].map((name) => <option value={name}>{name}</option>)}
    </select>
  );
}
