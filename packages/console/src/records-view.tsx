import { useEffect, useMemo, useState } from 'preact/hooks';
import type { BaseRecord, CausewayError } from '@causeway/client';
import type { RecordInputKind } from '@causeway/wire';
import { client, fieldErrors, message, type CollectionDefinition, type FieldDraft, type FieldTypes } from './api.js';
import { cell, idsOf } from './cells.js';
import { DisplayChoice, displayField, useRelationLabels } from './relation-labels.js';
import { navigate, type Route } from './router.js';
import { FileInput, useFileToken } from './file-input.js';

type Row = BaseRecord & Record<string, unknown>;
type RecordsRoute = Extract<Route, { kind: 'records' }>;
const pageSize = 50;

/** Records of one collection: a live grid (sort, filter, more pages), forms, delete, and the same query as API calls. */
export function RecordsView({ collection, collections, types, route }: { collection: CollectionDefinition; collections: CollectionDefinition[]; types: FieldTypes; route: RecordsRoute }) {
  const [rows, setRows] = useState<readonly Row[]>([]);
  const sort = route.sort ?? '-created';
  const applied = route.filter ?? '';
  const [filterText, setFilterText] = useState(applied);
  // Back/forward can change the applied filter: the input follows it.
  useEffect(() => setFilterText(applied), [applied]);
  const [limit, setLimit] = useState(pageSize);
  const [filterError, setFilterError] = useState('');
  const [showJson, setShowJson] = useState<Row | null>(null);
  const fields = collection.fields.filter((f) => !f.hidden);
  const isRelation = (field: FieldDraft) => types.get(field.type)?.input === 'relation';
  const relationTargets = new Map(fields.filter(isRelation).map((f: FieldDraft) => [f.name, collections.find((c) => c.name === f.collection)]));
  const [choiceVersion, setChoiceVersion] = useState(0);
  const labels = useRelationLabels(collection, collections, rows, { sort, filter: applied, limit }, choiceVersion);
  const editing = useRecord(collection.name, route.record, rows);

  useEffect(() => {
    setFilterError('');
    // A live query: records written by anyone appear, change and disappear here without a reload.
    const live = client.realtime.liveQuery(collection.name, { sort, limit, ...(applied ? { filter: applied } : {}) }, setRows, (error) => setFilterError(message(error)));
    return () => live.stop();
  }, [collection.name, sort, applied, limit]);

  const open = (record: string | undefined) => navigate({ ...route, record });
  const toggleSort = (name: string) => navigate({ ...route, sort: sort === name ? `-${name}` : name }, true);
  const remove = async (row: Row) => {
    if (!window.confirm(`Delete record ${row.id}? This cannot be undone.`)) return;
    try {
      await client.collection(collection.name).delete(row.id);
    } catch (caught) {
      window.alert(message(caught));
    }
  };
  const show = (field: FieldDraft, row: Row) => {
    if (!isRelation(field)) return cell(row[field.name]);
    return idsOf(row[field.name]).map((id) => labels.get(`${field.name}:${id}`) ?? id).join(', ');
  };

  return (
    <section aria-labelledby="records-title">
      <header class="toolbar">
        <h2 id="records-title">{collection.name}</h2>
        <form
          class="filter"
          onSubmit={(e) => {
            e.preventDefault();
            navigate({ ...route, filter: filterText.trim() || undefined }, true);
          }}
        >
          <label>
            Filter
            <input name="filter" placeholder='e.g. published = true && title ~ "hello"' value={filterText} onInput={(e) => setFilterText(e.currentTarget.value)} aria-invalid={filterError !== ''} aria-describedby="filter-error" />
          </label>
          <button type="submit">Apply</button>
        </form>
        <button type="button" onClick={() => open('new')}>New record</button>
      </header>
      {filterError && <p id="filter-error" class="error" role="alert">{filterError}</p>}
      {editing.error && <p class="error" role="alert">{editing.error}</p>}
      {route.record && (route.record === 'new' || editing.row) && (
        <RecordForm key={route.record} collection={collection} collections={collections} types={types} record={route.record === 'new' ? undefined : editing.row} onClose={() => open(undefined)} />
      )}
      {showJson && (
        <dialog open aria-label="Record as JSON">
          <pre>{JSON.stringify(showJson, null, 2)}</pre>
          <button type="button" onClick={() => setShowJson(null)}>Close</button>
        </dialog>
      )}
      {rows.length === 0 ? (
        <p class="empty">No records{applied ? ' match this filter' : ' yet'}.</p>
      ) : (
        <div class="grid-wrap">
          <table class="grid">
            <thead>
              <tr>
                {/* Actions lead, and stay put when the grid scrolls sideways: no scrolling right to reach them. */}
                <th class="row-actions"><span class="sr-only">Actions</span></th>
                {['id', ...fields.map((f) => f.name), 'created'].map((name) => (
                  <th key={name} aria-sort={sort === name ? 'ascending' : sort === `-${name}` ? 'descending' : 'none'}>
                    <button type="button" class="link" onClick={() => toggleSort(name)}>{name}{sort === name ? ' ▲' : sort === `-${name}` ? ' ▼' : ''}</button>
                    {relationTargets.has(name) && <DisplayChoice target={relationTargets.get(name)} onChange={() => setChoiceVersion(choiceVersion + 1)} />}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id} data-id={row.id}>
                  <td class="row-actions">
                    <button type="button" class="link" onClick={() => open(row.id)} aria-label={`Edit ${row.id}`}>Edit</button>
                    <button type="button" class="link" onClick={() => setShowJson(row)} aria-label={`JSON of ${row.id}`}>JSON</button>
                    {collection.type === 'auth' && typeof row.email === 'string' && (
                      <button type="button" class="link" onClick={() => void sendReset(collection.name, row.email as string)} aria-label={`Send a password reset to ${row.email}`}>Reset</button>
                    )}
                    <button type="button" class="link danger" onClick={() => void remove(row)} aria-label={`Delete ${row.id}`}>Delete</button>
                  </td>
                  <td><code>{row.id}</code></td>
                  {fields.map((f) => <td key={f.name} title={isRelation(f) ? idsOf(row[f.name]).join(', ') : undefined} class={isRelation(f) ? 'relation' : undefined}>{show(f, row)}</td>)}
                  <td>{row.created}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.length >= limit && limit < 500 && <button type="button" onClick={() => setLimit(limit + pageSize)}>Load more</button>}
      <ApiPreview collection={collection.name} sort={sort} filter={applied} />
    </section>
  );
}

/** The record the URL names: from the grid when it is there, else read by id (a reload, a shared link). */
function useRecord(collection: string, id: string | undefined, rows: readonly Row[]): { row?: Row; error?: string } {
  const inGrid = id && id !== 'new' ? rows.find((r) => r.id === id) : undefined;
  const [loaded, setLoaded] = useState<{ row?: Row; error?: string }>({});
  useEffect(() => {
    setLoaded({});
    if (!id || id === 'new' || inGrid) return;
    client.collection(collection).get(id).then((row) => setLoaded({ row: row as Row }), (caught) => setLoaded({ error: message(caught) }));
  }, [collection, id]);
  return inGrid ? { row: inGrid } : loaded.row?.id === id ? loaded : { ...(loaded.error ? { error: loaded.error } : {}) };
}

/** Accounts set their own passwords: the console mails them a reset link (the same flow as "forgot password"). */
async function sendReset(collection: string, email: string): Promise<void> {
  try {
    await client.auth.collection(collection).requestPasswordReset(email);
    window.alert(`A password reset link is on its way to ${email}.`);
  } catch (caught) {
    window.alert(message(caught));
  }
}

function inputValue(input: RecordInputKind, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (input === 'json') return JSON.stringify(value);
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

function parseValue(input: RecordInputKind, list: boolean, text: string): unknown {
  if (text === '') return list ? [] : null;
  if (list) return text.split(',').map((v) => v.trim()).filter(Boolean);
  if (input === 'number') return Number.isNaN(Number(text)) ? text : Number(text);
  if (input === 'json') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function fileNames(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : typeof value === 'string' && value !== '' ? [value] : [];
}

/** A form generated from the collection's fields; the server's per-field messages appear under each input. */
function RecordForm({ collection, collections, types, record, onClose }: { collection: CollectionDefinition; collections: CollectionDefinition[]; types: FieldTypes; record: Row | undefined; onClose: () => void }) {
  const fields: FieldDraft[] = collection.fields.filter((f) => !f.hidden && !(collection.type === 'auth' && f.name === 'passwordHash'));
  // The control of each field's values, as its type's hints name it.
  const inputOf = (field: FieldDraft): RecordInputKind => types.get(field.type)?.input ?? 'text';
  const [values, setValues] = useState<Record<string, unknown>>(() => Object.fromEntries(fields.map((f) => [f.name, record?.[f.name] ?? (inputOf(f) === 'checkbox' ? false : f.multiple ? [] : null)])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [pending, setPending] = useState<Record<string, File[]>>({});
  const [progress, setProgress] = useState<number>();
  const token = useFileToken();

  const save = async (event: Event) => {
    event.preventDefault();
    setErrors({});
    setError('');
    const records = client.collection(collection.name);
    const files = Object.fromEntries(Object.entries(pending).filter(([, chosen]) => chosen.length > 0));
    try {
      if (Object.keys(files).length > 0) {
        // Single file fields take their upload; the names kept are sent for multiple ones only.
        const data = Object.fromEntries(Object.entries(values).filter(([name]) => !(name in files) || fields.find((f) => f.name === name)?.multiple));
        await records.upload(files, { data, ...(record ? { id: record.id } : {}), onProgress: ({ loaded, total }) => setProgress(Math.round((100 * loaded) / total)) });
      } else if (record) await records.update(record.id, values);
      else await records.create(values);
      onClose();
    } catch (caught) {
      setError(message(caught));
      setErrors(fieldErrors(caught as CausewayError));
    }
  };

  return (
    <form class="record-form" onSubmit={save} aria-label={record ? `Edit record ${record.id}` : 'New record'}>
      <h3>{record ? `Edit ${record.id}` : 'New record'}</h3>
      {collection.type === 'auth' && !record && <p class="hint">A new account has no password: send it a password reset link from the list once it is created.</p>}
      {fields.map((field) => (
        <div class="form-field" key={field.name}>
          {inputOf(field) === 'file' ? (
            <FileInput
              collection={collection.name}
              recordId={record?.id}
              field={field}
              names={fileNames(values[field.name])}
              pending={pending[field.name] ?? []}
              token={token}
              onNames={(names) => setValues({ ...values, [field.name]: field.multiple ? names : names[0] ?? null })}
              onPending={(files) => setPending({ ...pending, [field.name]: files })}
            />
          ) : inputOf(field) === 'checkbox' ? (
            <label class="inline">
              <input type="checkbox" name={field.name} checked={values[field.name] === true} onChange={(e) => setValues({ ...values, [field.name]: e.currentTarget.checked })} /> {field.name}
            </label>
          ) : inputOf(field) === 'choice' && !field.multiple ? (
            <label>
              {field.name}
              <select name={field.name} value={String(values[field.name] ?? '')} onChange={(e) => setValues({ ...values, [field.name]: e.currentTarget.value || null })}>
                <option value="">—</option>
                {(field.values ?? []).map((v) => <option value={v}>{v}</option>)}
              </select>
            </label>
          ) : (
            <label>
              {field.name}
              {field.required ? ' *' : ''}
              <input
                list={inputOf(field) === 'relation' ? `pick-${field.name}` : undefined}
                name={field.name}
                type={inputOf(field) === 'date' ? 'date' : 'text'}
                inputMode={inputOf(field) === 'number' ? 'decimal' : undefined}
                placeholder={inputOf(field) === 'relation' ? `id of a ${field.collection} record${field.multiple ? ' (comma-separated)' : ''}` : field.multiple ? 'comma-separated' : ''}
                value={inputValue(inputOf(field), values[field.name])}
                onInput={(e) => setValues({ ...values, [field.name]: parseValue(inputOf(field), !!field.multiple, e.currentTarget.value) })}
                aria-invalid={!!errors[field.name]}
              />
            </label>
          )}
          {inputOf(field) === 'relation' && field.collection && <RelationChoices id={`pick-${field.name}`} target={collections.find((c) => c.name === field.collection)} value={values[field.name]} />}
          {errors[field.name] && <p class="field-error" role="alert">{errors[field.name]}</p>}
        </div>
      ))}
      {error && <p class="error">{error}</p>}
      {progress !== undefined && <progress max={100} value={progress} aria-label="Upload progress" />}
      <div class="actions">
        <button type="submit">{record ? 'Save' : 'Create'}</button>
        <button type="button" class="secondary" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}

/** Suggestions for a relation input (the target's most recent records, labelled), and the label of the chosen ones. */
function RelationChoices({ id, target, value }: { id: string; target: CollectionDefinition | undefined; value: unknown }) {
  const [options, setOptions] = useState<Row[]>([]);
  useEffect(() => {
    if (target) client.collection(target.name).list({ sort: '-created', limit: 100 }).then((page) => setOptions(page.items as Row[]), () => setOptions([]));
  }, [target?.name]);
  const shown = displayField(target);
  const label = (row: Row) => (shown && row[shown] !== null && row[shown] !== undefined ? cell(row[shown]) : row.id);
  const chosen = idsOf(value).map((v) => options.find((row) => row.id === v)).filter((row): row is Row => row !== undefined);
  return (
    <>
      <datalist id={id}>
        {options.map((row) => <option value={row.id} label={label(row)} />)}
      </datalist>
      {chosen.length > 0 && <p class="hint">{chosen.map(label).join(', ')}</p>}
    </>
  );
}

/** The current view as a REST call, a GraphQL query and an SDK call, ready to copy. */
function ApiPreview({ collection, sort, filter }: { collection: string; sort: string; filter: string }) {
  const snippets = useMemo(() => {
    const query = new URLSearchParams({ sort, ...(filter ? { filter } : {}) }).toString();
    const orderField = sort.replace(/^-/, '');
    return {
      curl: `curl '${location.origin}/api/collections/${collection}/records?${query}' -H 'authorization: Bearer $TOKEN'`,
      graphql: `{ ${collection}(${filter ? `filter: ${JSON.stringify(filter)}, ` : ''}orderBy: [{ field: ${orderField}, direction: ${sort.startsWith('-') ? 'DESC' : 'ASC'} }]) { edges { node { id } } } }`,
      sdk: `await client.collection('${collection}').list({ sort: '${sort}'${filter ? `, filter: ${JSON.stringify(filter)}` : ''} })`,
    };
  }, [collection, sort, filter]);
  return (
    <details class="preview">
      <summary>API preview</summary>
      {Object.entries(snippets).map(([name, text]) => (
        <div key={name}>
          <h4>{name === 'curl' ? 'REST (curl)' : name === 'graphql' ? 'GraphQL' : 'SDK'}</h4>
          <pre>{text}</pre>
          <button type="button" class="secondary" onClick={() => void navigator.clipboard?.writeText(text)}>Copy</button>
        </div>
      ))}
    </details>
  );
}
